package dev.stt.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One fine-tuning run of a Sentence Transformers model on Gaudi cards. */
@Group(SentenceTransformerTraining.GROUP)
@Version(SentenceTransformerTraining.VERSION)
@Kind(SentenceTransformerTraining.KIND)
@Plural(SentenceTransformerTraining.PLURAL)
@ShortNames("stt")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Recipe", jsonPath = ".spec.recipe", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Model", jsonPath = ".spec.model.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Cards", jsonPath = ".status.plan.topology", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress.summary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Metric", jsonPath = ".status.metrics.summary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// A started run is a record of what was trained: its run-defining spec cannot change under it.
// Before the first pod exists (invalid spec, waiting for a volume) it stays editable so users can fix it.
@ValidationRule(value = SentenceTransformerTraining.SPEC_FROZEN_ONCE_STARTED,
    message = "recipe, model, lora, zeroStage, bf16, resources, training and datasets cannot change once the run has"
        + " started (status.startTime is set); create a new SentenceTransformerTraining to train with other settings."
        + " runPolicy (suspend, activeDeadlineSeconds, ttlSecondsAfterFinished) stays editable",
    reason = "FieldValueForbidden", fieldPath = ".spec")
@ValidationRule(value = "has(self.spec)", message = "spec is required", reason = "FieldValueRequired",
    fieldPath = ".spec")
public class SentenceTransformerTraining
    extends CustomResource<SentenceTransformerTrainingSpec, SentenceTransformerTrainingStatus> implements Namespaced {

  public static final String GROUP = "stt.dev";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "SentenceTransformerTraining";
  public static final String PLURAL = "sentencetransformertrainings";

  static final String SPEC_FROZEN_ONCE_STARTED = "!has(self.spec) || !has(oldSelf.status) || !has(oldSelf.status.startTime) || ("
      + "self.spec.recipe == oldSelf.spec.recipe && self.spec.model == oldSelf.spec.model"
      + " && has(self.spec.lora) == has(oldSelf.spec.lora) && (!has(self.spec.lora) || self.spec.lora == oldSelf.spec.lora)"
      + " && has(self.spec.zeroStage) == has(oldSelf.spec.zeroStage)"
      + " && (!has(self.spec.zeroStage) || self.spec.zeroStage == oldSelf.spec.zeroStage)"
      + " && has(self.spec.bf16) == has(oldSelf.spec.bf16) && (!has(self.spec.bf16) || self.spec.bf16 == oldSelf.spec.bf16)"
      + " && has(self.spec.resources) == has(oldSelf.spec.resources)"
      + " && (!has(self.spec.resources) || self.spec.resources == oldSelf.spec.resources)"
      + " && has(self.spec.training) == has(oldSelf.spec.training)"
      + " && (!has(self.spec.training) || self.spec.training == oldSelf.spec.training)"
      + " && has(self.spec.datasets) == has(oldSelf.spec.datasets)"
      + " && (!has(self.spec.datasets) || self.spec.datasets == oldSelf.spec.datasets))";
}
