package dev.finetune.ml.eval;

/** Inference speed: latency of single-text requests and throughput of batches of 32. */
public record LatencyMetrics(double p50Millis, double p95Millis, double throughputPerSecond) {}
