package dev.finetune.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test's {@code storage.*} settings at an S3Proxy child process. */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "finetune";

    @Override
    public Map<String, String> start() {
        S3ProxyServer s3 = SharedInfrastructure.s3();
        return Map.of(
                "storage.endpoint", s3.endpoint(),
                "storage.access-key", s3.accessKey(),
                "storage.secret-key", s3.secretKey(),
                "storage.bucket", BUCKET,
                "storage.region", "us-east-1");
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM; destroyed when the JVM exits.
    }
}
