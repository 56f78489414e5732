package dev.finetune.devstack;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Product reviews labelled positive, negative or neutral, generated from phrase lists: the demo's data
 * set ships with the project as code, so the demo needs no download. Texts are distinct so that the
 * data set service's de-duplication keeps them all.
 */
final class ReviewGenerator {

    record Review(String text, String label) {
    }

    private static final List<String> PRODUCTS = List.of("headphones", "blender", "phone case", "desk lamp", "backpack",
            "coffee maker", "keyboard", "running shoes", "water bottle", "vacuum cleaner", "charger", "tent",
            "office chair", "toaster", "monitor", "jacket", "camera", "kettle", "mattress", "smartwatch");
    private static final List<String> POSITIVE = List.of("works perfectly", "is excellent value", "exceeded my expectations",
            "is sturdy and well made", "arrived quickly and works great", "is the best purchase I made this year",
            "feels premium", "is comfortable and reliable", "does exactly what I wanted", "I love it");
    private static final List<String> NEGATIVE = List.of("broke after two days", "is a waste of money",
            "stopped working within a week", "is cheaply made and flimsy", "arrived damaged", "is terrible and noisy",
            "was a huge disappointment", "does not work at all", "fell apart immediately", "I want a refund");
    private static final List<String> NEUTRAL = List.of("is okay for the price", "works as described, nothing special",
            "is average", "does the job, no more", "is fine I guess", "arrived on the expected day",
            "is similar to my old one", "has a standard design", "is neither good nor bad", "meets the basic needs");
    private static final List<String> OPENERS = List.of("This", "The", "My new", "Our", "Honestly, the", "So far the");
    private static final List<String> CLOSERS = List.of(".", "!", ". Would buy again?", ". Delivered by courier.",
            " overall.", ", to be honest.", ". Bought it last month.", ". Used it daily.");

    private ReviewGenerator() {
    }

    static List<Review> generate(int count, long seed) {
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<Review> reviews = new ArrayList<>(count);
        String[] labels = {"positive", "negative", "neutral"};
        List<List<String>> phrases = List.of(POSITIVE, NEGATIVE, NEUTRAL);
        while (reviews.size() < count) {
            int label = reviews.size() % 3;
            String text = pick(OPENERS, random) + " " + pick(PRODUCTS, random) + " " + pick(phrases.get(label), random)
                    + pick(CLOSERS, random);
            if (seen.add(text.toLowerCase())) {
                reviews.add(new Review(text, labels[label]));
            }
        }
        return reviews;
    }

    private static String pick(List<String> options, Random random) {
        return options.get(random.nextInt(options.size()));
    }
}
