package dev.finetune.evaluation.scoring;

import dev.finetune.ml.data.Example;
import java.util.List;

/**
 * The held-out test split of a data set version, as read and verified.
 *
 * @param sha256 sha256 of the stored object's bytes: with the checkpoint's sha256, what an evaluation is unique on
 */
public record TestSplit(String uri, String sha256, List<Example> examples) {

    public TestSplit {
        examples = List.copyOf(examples);
    }

    public List<String> texts() {
        return examples.stream().map(Example::text).toList();
    }
}
