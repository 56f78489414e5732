package dev.finetune.ml.packaging;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one JSON configuration of model packages (Gson ships with DJL's api artifact). */
public final class Json {

    public static final Gson GSON = new GsonBuilder()
            .serializeSpecialFloatingPointValues() // NaN metrics before the first evaluation
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .create();

    private Json() {}
}
