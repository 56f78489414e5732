package dev.finetune.evaluation.scoring;

/**
 * The exact McNemar test on paired predictions: under "both models are equally good", the examples only one
 * of them gets right split between the two like fair coin flips, so the p-value is a two-sided binomial tail.
 * Exact rather than chi-squared because test splits often have few discordant pairs.
 */
public final class McNemar {

    private McNemar() {
    }

    /**
     * @param candidateOnly examples the candidate gets right and the champion wrong
     * @param championOnly examples the champion gets right and the candidate wrong
     * @return {@code min(1, 2 * P(X <= min(b, c)))} with {@code X ~ Binomial(b + c, 1/2)}; 1 when no pair is discordant
     */
    public static double exactPValue(int candidateOnly, int championOnly) {
        if (candidateOnly < 0 || championOnly < 0) {
            throw new IllegalArgumentException("discordant counts must not be negative: " + candidateOnly + ", "
                    + championOnly);
        }
        int n = candidateOnly + championOnly;
        if (n == 0) {
            return 1.0;
        }
        int k = Math.min(candidateOnly, championOnly);
        // Summed in log space: C(n, i) / 2^n underflows doubles for a few thousand discordant pairs.
        double logHalfToN = n * Math.log(0.5);
        double logChoose = 0; // log C(n, 0)
        double maxLog = logHalfToN;
        double[] logTerms = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            if (i > 0) {
                logChoose += Math.log(n - i + 1) - Math.log(i);
            }
            logTerms[i] = logChoose + logHalfToN;
            maxLog = Math.max(maxLog, logTerms[i]);
        }
        double sum = 0;
        for (double logTerm : logTerms) {
            sum += Math.exp(logTerm - maxLog);
        }
        double tail = Math.exp(maxLog + Math.log(sum));
        return Math.min(1.0, 2 * tail);
    }
}
