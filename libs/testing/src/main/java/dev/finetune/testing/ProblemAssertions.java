package dev.finetune.testing;

import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/** Asserts a problem+json answer by its status and its exact type, the way every service's bad-input test does. */
public final class ProblemAssertions {

    public static final String TYPE_BASE = "https://finetune.dev/problems/";

    private ProblemAssertions() {
    }

    /** The response is {@code status} with problem+json of {@code kind}; returned for further checks. */
    public static ValidatableResponse assertProblem(Response response, int status, String kind) {
        return response.then().statusCode(status).contentType("application/problem+json")
                .body("type", equalTo(TYPE_BASE + kind))
                .body("status", equalTo(status));
    }
}
