package dev.finetune.dataset.split;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Assigns an example to a split from the SHA-256 of its normalised text, never from chance or position:
 * the same text lands in the same split in every version and on every machine, so the test split never
 * leaks into training as data grows. Not thread-safe (one digest per builder).
 */
public final class Splitter {

    /** Resolution of the ratios: 0.01 %. */
    static final int BUCKETS = 10_000;

    private final int trainBelow;
    private final int validationBelow;
    private final MessageDigest sha256;

    public Splitter(double train, double validation, double test) {
        if (train < 0 || validation < 0 || test < 0 || Math.abs(train + validation + test - 1.0) > 1e-6) {
            throw new IllegalArgumentException("split ratios must be non-negative and sum to 1, got train=" + train
                    + " validation=" + validation + " test=" + test);
        }
        this.trainBelow = (int) Math.round(train * BUCKETS);
        this.validationBelow = (int) Math.round((train + validation) * BUCKETS);
        this.sha256 = sha256();
    }

    /** 64 bits of the SHA-256 of the normalised text: the example's identity for splits and de-duplication. */
    public long fingerprint(String normalisedText) {
        byte[] d = sha256.digest(normalisedText.getBytes(StandardCharsets.UTF_8));
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp = (fp << 8) | (d[i] & 0xFF);
        }
        return fp;
    }

    public Split assign(long fingerprint) {
        int bucket = (int) Long.remainderUnsigned(fingerprint, BUCKETS);
        if (bucket < trainBelow) {
            return Split.TRAIN;
        }
        return bucket < validationBelow ? Split.VALIDATION : Split.TEST;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
