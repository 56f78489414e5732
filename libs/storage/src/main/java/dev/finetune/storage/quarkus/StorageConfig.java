package dev.finetune.storage.quarkus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The {@code storage.*} settings every service shares.
 *
 * <pre>
 * storage.endpoint=http://127.0.0.1:9000
 * storage.access-key=finetune
 * storage.secret-key=finetune-secret
 * storage.bucket=finetune
 * storage.region=us-east-1
 * </pre>
 */
@ConfigMapping(prefix = "storage")
public interface StorageConfig {

    /** S3 endpoint URL: MinIO in production, S3Proxy locally. */
    String endpoint();

    String accessKey();

    String secretKey();

    /** The bucket holding data sets, checkpoints and reports; created at start-up when missing. */
    @WithDefault("finetune")
    String bucket();

    @WithDefault("us-east-1")
    String region();
}
