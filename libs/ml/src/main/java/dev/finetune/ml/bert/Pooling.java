package dev.finetune.ml.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * How token states [B, T, H] become one sentence embedding [B, H]: the pooling a base model was pretrained
 * with, which fine-tuning keeps (a classifier head on a pooling the encoder never learnt starts worse).
 */
public enum Pooling {
    /** The mean over real tokens, as sentence-transformers pools all-MiniLM-L6-v2. */
    MEAN {
        @Override
        public NDArray pool(NDArray tokens, NDArray mask) {
            NDArray m = mask.expandDims(2);
            NDArray counts = m.sum(new int[] {1}).maximum(1e-9f);
            return tokens.mul(m).sum(new int[] {1}).div(counts);
        }
    },
    /** The state of the first token ([CLS]), as BGE pools. */
    CLS {
        @Override
        public NDArray pool(NDArray tokens, NDArray mask) {
            return tokens.get(new NDIndex(":, 0, :"));
        }
    };

    public abstract NDArray pool(NDArray tokens, NDArray mask);
}
