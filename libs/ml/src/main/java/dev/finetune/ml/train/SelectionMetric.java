package dev.finetune.ml.train;

import dev.finetune.ml.eval.EvaluationMetrics;

/** The validation metric that picks the best checkpoint and drives early stopping. */
public enum SelectionMetric {
    ACCURACY(true),
    MACRO_F1(true),
    LOG_LOSS(false);

    private final boolean higherIsBetter;

    SelectionMetric(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    public double of(EvaluationMetrics m) {
        return switch (this) {
            case ACCURACY -> m.accuracy();
            case MACRO_F1 -> m.macroF1();
            case LOG_LOSS -> m.logLoss();
        };
    }

    /** True when {@code candidate} beats {@code best} (NaN meaning "nothing yet"). */
    public boolean improves(double candidate, double best) {
        if (Double.isNaN(best)) {
            return true;
        }
        return higherIsBetter ? candidate > best : candidate < best;
    }
}
