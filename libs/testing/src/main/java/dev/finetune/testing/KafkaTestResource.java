package dev.finetune.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test at a real KRaft broker, with every platform topic created. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker is shared by every test class of this JVM and stops when the JVM exits.
    }
}
