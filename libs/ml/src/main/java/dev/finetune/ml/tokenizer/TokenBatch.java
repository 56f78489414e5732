package dev.finetune.ml.tokenizer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Token ids padded to the longest sequence of the batch (dynamic padding), with the attention mask
 * that tells the encoder which positions are real.
 */
public final class TokenBatch {

    private final long[] ids;
    private final float[] mask;
    private final int size;
    private final int length;
    private final long realTokens;

    private TokenBatch(long[] ids, float[] mask, int size, int length, long realTokens) {
        this.ids = ids;
        this.mask = mask;
        this.size = size;
        this.length = length;
        this.realTokens = realTokens;
    }

    /** Pads the sequences with id 0 ([PAD] in BERT vocabularies) up to the batch's longest one. */
    public static TokenBatch of(List<long[]> sequences) {
        int length = 1;
        for (long[] s : sequences) {
            length = Math.max(length, s.length);
        }
        int size = sequences.size();
        long[] ids = new long[size * length];
        float[] mask = new float[size * length];
        long real = 0;
        for (int r = 0; r < size; r++) {
            long[] s = sequences.get(r);
            System.arraycopy(s, 0, ids, r * length, s.length);
            for (int c = 0; c < s.length; c++) {
                mask[r * length + c] = 1f;
            }
            real += s.length;
        }
        return new TokenBatch(ids, mask, size, length, real);
    }

    public int size() {
        return size;
    }

    public int length() {
        return length;
    }

    /** Tokens that are not padding, for tokens-per-second figures. */
    public long realTokens() {
        return realTokens;
    }

    /** ids [B, T] int64 and mask [B, T] float32, created in {@code manager} (a per-batch manager). */
    public NDList toNDList(NDManager manager) {
        Shape shape = new Shape(size, length);
        return new NDList(manager.create(ids, shape), manager.create(mask, shape));
    }
}
