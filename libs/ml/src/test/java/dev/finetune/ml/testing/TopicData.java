package dev.finetune.ml.testing;

import dev.finetune.ml.data.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small generated topic-classification data (three labels), deterministic for a seed. */
public final class TopicData {

    private static final String[][] TOPICS = {
        {"the match", "the striker scored", "a late goal", "the coach", "the league table", "the referee", "the stadium crowd", "a penalty kick"},
        {"heavy rain", "the forecast", "a cold front", "sunny skies", "strong winds", "the storm", "morning fog", "a heatwave"},
        {"the pasta", "a spicy curry", "the chef", "fresh bread", "the dessert menu", "grilled fish", "a bowl of soup", "the recipe"},
    };
    private static final String[] LABELS = {"sports", "weather", "food"};
    private static final String[] FRAMES = {
        "I heard about %s yesterday.", "Everyone was talking about %s today", "%s was the talk of the town",
        "What do you think of %s?", "Honestly, %s surprised me.", "My friend mentioned %s again", "news: %s"};

    private TopicData() {}

    public static List<Example> generate(int count, long seed) {
        Random random = new Random(seed);
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int label = i % LABELS.length;
            String phrase = TOPICS[label][random.nextInt(TOPICS[label].length)];
            String text = String.format(FRAMES[random.nextInt(FRAMES.length)], phrase);
            out.add(new Example(text, LABELS[label]));
        }
        return out;
    }
}
