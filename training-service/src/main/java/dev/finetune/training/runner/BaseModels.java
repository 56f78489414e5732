package dev.finetune.training.runner;

import dev.finetune.ml.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The pretrained models runs start from: libs/ml's catalog, each parsed once per process on first use
 * (parsing an ONNX file takes seconds).
 */
@ApplicationScoped
public class BaseModels {

    /** The base model of that name; an unknown name is refused with the available ones. */
    public BaseModel byName(String name) {
        return BaseModel.named(name);
    }

    /** The base models a training configuration may name. */
    public List<BaseModel.Description> available() {
        return BaseModel.catalog();
    }
}
