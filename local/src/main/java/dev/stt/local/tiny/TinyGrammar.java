package dev.stt.local.tiny;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A small grammar whose similarity is semantic, not lexical: a sentence says who does what to what where, each
 * concept has synonyms, and templates and filler words vary the surface. A pair's score is the weighted share of
 * concepts it keeps, whatever words express them, so an untrained encoder (which sees word overlap) ranks pairs
 * poorly and one that learns the synonyms ranks them well.
 */
public final class TinyGrammar {
  /** Slots in sentence order: subject, verb, object, place; each concept is a list of synonyms. */
  private static final List<List<List<String>>> SLOTS = List.of(
      List.of(List.of("dog", "puppy", "hound"), List.of("cat", "kitten", "kitty"),
          List.of("man", "guy", "gentleman"), List.of("woman", "lady", "madam"),
          List.of("child", "kid", "youngster"), List.of("bird", "sparrow", "finch"),
          List.of("horse", "pony", "stallion"), List.of("chef", "cook", "baker")),
      List.of(List.of("eats", "devours", "consumes"), List.of("watches", "observes", "views"),
          List.of("chases", "pursues", "follows"), List.of("carries", "holds", "lifts"),
          List.of("finds", "discovers", "spots"), List.of("paints", "draws", "sketches"),
          List.of("buys", "purchases", "acquires"), List.of("cleans", "washes", "scrubs")),
      List.of(List.of("ball", "toy", "sphere"), List.of("car", "vehicle", "automobile"),
          List.of("book", "novel", "volume"), List.of("bread", "loaf", "bun"),
          List.of("box", "crate", "carton"), List.of("flower", "blossom", "rose"),
          List.of("hat", "cap", "beanie"), List.of("cup", "mug", "tumbler")),
      List.of(List.of("park", "garden", "meadow"), List.of("house", "home", "cottage"),
          List.of("street", "road", "avenue"), List.of("beach", "shore", "coast"),
          List.of("kitchen", "pantry", "scullery"), List.of("forest", "woods", "jungle"),
          List.of("school", "classroom", "academy"), List.of("market", "bazaar", "shop")));
  /** How much each slot contributes to a pair's similarity. */
  private static final double[] WEIGHTS = {0.3, 0.3, 0.25, 0.15};
  private static final List<String> TEMPLATES = List.of(
      "the {0} {1} the {2} in the {3}",
      "a {0} {1} a {2} at the {3}",
      "in the {3} the {0} {1} the {2}",
      "the {0} {1} a {2} near the {3}");
  /** Words that carry no meaning here; the model should learn to ignore them. */
  private static final List<String> FILLERS = List.of("often", "quietly", "slowly", "happily", "again", "today");

  /** A scored pair, score in 0..1. */
  public record Pair(String sentence1, String sentence2, double score) {}

  private final Random random;

  public TinyGrammar(long seed) {
    random = new Random(seed);
  }

  /** Every word the grammar uses, for the tokenizer's vocabulary. */
  public static Set<String> words() {
    Set<String> words = new LinkedHashSet<>();
    SLOTS.forEach(slot -> slot.forEach(words::addAll));
    TEMPLATES.forEach(t -> List.of(t.split(" ")).stream().filter(w -> !w.startsWith("{")).forEach(words::add));
    words.addAll(FILLERS);
    return words;
  }

  /** A pair with 0 to 4 slots changed, chosen uniformly, so scores spread over 0..1. */
  public Pair pair() {
    int[] first = new int[SLOTS.size()];
    int[] second = new int[SLOTS.size()];
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
    java.util.Collections.shuffle(order, random);
    int changes = random.nextInt(SLOTS.size() + 1);
    double score = 1;
    for (int slot = 0; slot < SLOTS.size(); slot++) {
      first[slot] = random.nextInt(SLOTS.get(slot).size());
      second[slot] = first[slot];
    }
    for (int slot : order.subList(0, changes)) {
      second[slot] = (first[slot] + 1 + random.nextInt(SLOTS.get(slot).size() - 1)) % SLOTS.get(slot).size();
      score -= WEIGHTS[slot];
    }
    return new Pair(render(first), render(second), Math.round(score * 100) / 100.0);
  }

  private String render(int[] concepts) {
    String sentence = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
    for (int slot = 0; slot < SLOTS.size(); slot++) {
      List<String> synonyms = SLOTS.get(slot).get(concepts[slot]);
      String word = synonyms.get(random.nextInt(synonyms.size()));
      if (slot == 1 && random.nextDouble() < 0.4) {
        word = FILLERS.get(random.nextInt(FILLERS.size())) + " " + word;
      }
      sentence = sentence.replace("{" + slot + "}", word);
    }
    return sentence;
  }
}
