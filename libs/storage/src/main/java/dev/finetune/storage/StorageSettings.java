package dev.finetune.storage;

/**
 * Where the artifact store lives. Services read these from configuration keys {@code storage.endpoint},
 * {@code storage.access-key}, {@code storage.secret-key}, {@code storage.bucket} and {@code storage.region}.
 */
public record StorageSettings(String endpoint, String accessKey, String secretKey, String bucket, String region) {

    public StorageSettings {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("storage endpoint is required");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("storage bucket is required");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }
}
