package dev.finetune.ml.train;

/**
 * Linear warmup from 0 to the peak over the first steps, then linear decay to 0 at the last step, as
 * HuggingFace's get_linear_schedule_with_warmup (the first step already gets a non-zero rate).
 */
record LinearSchedule(long totalSteps, long warmupSteps) {

    static LinearSchedule of(long totalSteps, float warmupRatio) {
        return new LinearSchedule(totalSteps, (long) Math.ceil(totalSteps * (double) warmupRatio));
    }

    /** The multiplier of the peak rate for 0-based step {@code step}. */
    float factor(long step) {
        if (step < warmupSteps) {
            return (float) (step + 1) / warmupSteps;
        }
        return Math.max(0f, (float) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
