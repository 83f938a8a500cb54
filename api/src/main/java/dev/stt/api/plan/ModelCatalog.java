package dev.stt.api.plan;

import dev.stt.api.v1alpha1.Architecture;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Models the planner recognises by name: their architecture and, where known, their size. */
public final class ModelCatalog {

  /** What is known of a model; parameters, hidden and layers are 0 when only the architecture is known. */
  public record ModelInfo(Architecture architecture, long parameters, int hidden, int layers) {
    public boolean sized() {
      return parameters > 0;
    }
  }

  private record Entry(String nameFragment, ModelInfo info) {}

  // Order matters: the first fragment that starts a word of the lower-cased model name wins (so "bert" is not found in
  // "deberta").
  private static final List<Entry> SIZED = List.of(
      new Entry("e5-mistral-7b", new ModelInfo(Architecture.MISTRAL, 7_110_000_000L, 4096, 32)),
      new Entry("mistral-7b", new ModelInfo(Architecture.MISTRAL, 7_240_000_000L, 4096, 32)),
      // An XLM-RoBERTa model despite its name.
      new Entry("multilingual-mpnet-base", new ModelInfo(Architecture.ROBERTA, 278_000_000L, 768, 12)),
      new Entry("mpnet-base", new ModelInfo(Architecture.MPNET, 109_500_000L, 768, 12)),
      new Entry("minilm-l6", new ModelInfo(Architecture.BERT, 22_700_000L, 384, 6)),
      new Entry("minilm-l12", new ModelInfo(Architecture.BERT, 33_400_000L, 384, 12)),
      new Entry("distilbert-base", new ModelInfo(Architecture.DISTILBERT, 66_400_000L, 768, 6)),
      new Entry("distilroberta-base", new ModelInfo(Architecture.ROBERTA, 82_100_000L, 768, 6)),
      new Entry("roberta-base", new ModelInfo(Architecture.ROBERTA, 124_600_000L, 768, 12)),
      new Entry("roberta-large", new ModelInfo(Architecture.ROBERTA, 355_400_000L, 1024, 24)),
      new Entry("bert-base", new ModelInfo(Architecture.BERT, 109_500_000L, 768, 12)),
      new Entry("bert-large", new ModelInfo(Architecture.BERT, 335_100_000L, 1024, 24)));

  private static final List<Entry> FAMILIES = List.of(
      new Entry("mistral", new ModelInfo(Architecture.MISTRAL, 0, 0, 0)),
      new Entry("llama", new ModelInfo(Architecture.LLAMA, 0, 0, 0)),
      new Entry("qwen", new ModelInfo(Architecture.QWEN2, 0, 0, 0)),
      new Entry("mpnet", new ModelInfo(Architecture.MPNET, 0, 0, 0)),
      new Entry("distilbert", new ModelInfo(Architecture.DISTILBERT, 0, 0, 0)),
      new Entry("roberta", new ModelInfo(Architecture.ROBERTA, 0, 0, 0)),
      new Entry("minilm", new ModelInfo(Architecture.BERT, 0, 0, 0)),
      new Entry("bert", new ModelInfo(Architecture.BERT, 0, 0, 0)));

  private ModelCatalog() {}

  public static Optional<ModelInfo> lookup(String modelName) {
    String name = modelName.toLowerCase(Locale.ROOT);
    return SIZED.stream().filter(e -> startsAWord(name, e.nameFragment())).map(Entry::info).findFirst()
        .or(() -> FAMILIES.stream().filter(e -> startsAWord(name, e.nameFragment())).map(Entry::info).findFirst());
  }

  private static boolean startsAWord(String name, String fragment) {
    for (int at = name.indexOf(fragment); at >= 0; at = name.indexOf(fragment, at + 1)) {
      if (at == 0 || "/-_.".indexOf(name.charAt(at - 1)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
