package dev.finetune.training.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A client of {@code GET /runs/{id}/events} that reads the stream as it comes, so a test can await what it has
 * received so far, whether it has ended, or go away in the middle of it.
 */
final class EventStream implements AutoCloseable {

    private final HttpResponse<Stream<String>> response;
    private final List<JsonNode> items = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ended;
    private final JsonNode problem;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() != 200) { // a refusal: its problem+json body, whole
            this.problem = json(response.body().collect(Collectors.joining("\n")));
            this.ended = CompletableFuture.completedFuture(null);
        } else {
            this.problem = null;
            this.ended = CompletableFuture.runAsync(() -> response.body().filter(line -> line.startsWith("data:"))
                    .forEach(line -> items.add(json(line.substring("data:".length())))));
        }
    }

    /** Opens the stream; returns once the answer's status and headers have arrived. */
    static EventStream open(URI events, String token) {
        HttpRequest request = HttpRequest.newBuilder(events).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token).build();
        try {
            return new EventStream(HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("stream " + events + " did not answer", e);
        }
    }

    int status() {
        return response.statusCode();
    }

    /** The value of a header of the answer, or null. */
    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of a refusal (a status other than 200). */
    JsonNode problem() {
        return problem;
    }

    /** The items received so far, each the JSON of one {@code data:} line. */
    List<JsonNode> items() {
        return List.copyOf(items);
    }

    boolean ended() {
        return ended.isDone();
    }

    /** The client goes away: the connection closes in the middle of the stream. */
    @Override
    public void close() {
        response.body().close();
    }

    static JsonNode json(String text) {
        try {
            return EventCodec.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }
}
