package dev.finetune.ml.classifier;

import java.util.Map;

/** The predicted label of one text and the probability of every label. */
public record Prediction(String label, double confidence, Map<String, Double> probabilities) {}
