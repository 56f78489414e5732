package dev.finetune.support.problem;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;

/**
 * A resource method that takes a body needs one: a POST or PUT without a body (the JSON reader hands the method
 * {@code null}) is a 400 {@code missing-body} before the method runs, in every service, rather than a
 * NullPointerException somewhere inside it.
 */
@Provider
public class RequiredBody implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        Object body = context.proceed();
        if (body == null) {
            throw new ProblemException(400, "missing-body", "The request has no body",
                    "this request needs a JSON body; it came without one");
        }
        return body;
    }
}
