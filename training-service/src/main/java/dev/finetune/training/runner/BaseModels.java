package dev.finetune.training.runner;

import dev.finetune.ml.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;

/** The pretrained models runs start from, loaded once per process (parsing the ONNX file takes a while). */
@ApplicationScoped
public class BaseModels {

    private volatile BaseModel minilm;

    public BaseModel byName(String name) {
        if (!BaseModel.MINILM_NAME.equals(name)) {
            throw new IllegalArgumentException("unknown base model '" + name + "'; available: " + BaseModel.MINILM_NAME);
        }
        BaseModel loaded = minilm;
        if (loaded == null) {
            synchronized (this) {
                if (minilm == null) {
                    minilm = BaseModel.minilm();
                }
                loaded = minilm;
            }
        }
        return loaded;
    }
}
