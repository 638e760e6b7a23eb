// The `add` task of the bench's raw baseline as a BullMQ sandboxed processor (support/raw-worker.mjs sandboxed).
module.exports = async (job) => job.data.x + 1;
