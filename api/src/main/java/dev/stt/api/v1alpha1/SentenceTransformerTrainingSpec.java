package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.zeroStage) && self.zeroStage == 3 && has(self.training)"
    + " && has(self.training.hpuGraphs) && self.training.hpuGraphs)",
    message = "training.hpuGraphs: true is not supported with zeroStage: 3 (upstream turns HPU graphs off for ZeRO-3);"
        + " remove training.hpuGraphs or set it to false",
    fieldPath = ".training.hpuGraphs")
public class SentenceTransformerTrainingSpec {
  @Required
  @JsonPropertyDescription("Training recipe, as the optimum-habana examples: sts (CosineSimilarityLoss on STS-B), nli"
      + " (SoftmaxLoss on AllNLI pair-class) or paraphrases (MultipleNegativesRankingLoss over paraphrase datasets).")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public Recipe recipe;

  @Required
  @JsonPropertyDescription("The base model to fine-tune.")
  public ModelSpec model;

  @JsonPropertyDescription("Train in bfloat16 mixed precision. Default: false, as upstream.")
  public Boolean bf16;

  @JsonPropertyDescription("LoRA adapters (peft). Absent or enabled: false means a full fine-tune.")
  public LoraSpec lora;

  @Min(0)
  @Max(3)
  @JsonPropertyDescription("DeepSpeed ZeRO stage: 0 = no DeepSpeed, 1..3 = ZeRO stage (HabanaAI's DeepSpeed)."
      + " Default: 0.")
  public Integer zeroStage;

  @JsonPropertyDescription("Cards, workers and the pod resources of each worker.")
  public ResourcesSpec resources;

  @JsonPropertyDescription("Hyperparameters. Absent fields take the upstream example's values.")
  public TrainingSpec training;

  @Size(max = 32)
  @JsonPropertyDescription("Datasets replacing the recipe's defaults: the entries of a split replace that split's"
      + " defaults. Default: the upstream example's datasets.")
  public List<DatasetSpec> datasets;

  @Size(max = 512)
  @JsonPropertyDescription("Trainer image. Default: the operator's configured trainer image.")
  public String image;

  @JsonPropertyDescription("Image pull policy of the trainer. Default: IfNotPresent.")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public PullPolicy imagePullPolicy;

  @Size(max = 16)
  @JsonPropertyDescription("Secrets for pulling the trainer image.")
  public List<LocalObjectReference> imagePullSecrets;

  @Size(max = 253)
  @Pattern(Names.DNS_SUBDOMAIN)
  @JsonPropertyDescription("ServiceAccount of the worker pods. Default: the namespace's default.")
  public String serviceAccountName;

  @Size(max = 64)
  @ValidationRule(value = "self.all(e, has(e.name) && e.name.matches('^[-._a-zA-Z][-._a-zA-Z0-9]*$'))",
      message = "each env entry needs a name of letters, digits, '_', '-' or '.', not starting with a digit")
  @ValidationRule(value = "self.all(e, !has(e.name) || self.exists_one(f, has(f.name) && f.name == e.name))",
      message = "env names must be unique")
  @ValidationRule(value = "self.all(e, !(e.name in ['HABANA_VISIBLE_DEVICES', 'HABANA_VISIBLE_MODULES',"
      + " 'HL_VISIBLE_DEVICES', 'MASTER_ADDR', 'MASTER_PORT', 'STT_WORKER_INDEX', 'STT_NUM_WORKERS',"
      + " 'STT_CARDS_PER_WORKER', 'HF_TOKEN', 'HF_HOME']))",
      message = "env must not set HABANA_VISIBLE_DEVICES, HABANA_VISIBLE_MODULES or HL_VISIBLE_DEVICES (the Habana"
          + " device plugin sets them), nor MASTER_ADDR, MASTER_PORT, STT_WORKER_INDEX, STT_NUM_WORKERS,"
          + " STT_CARDS_PER_WORKER, HF_TOKEN or HF_HOME (the operator sets them; use hfTokenSecretRef and cache)")
  @JsonPropertyDescription("Extra environment of the trainer, e.g. HCCL_SOCKET_IFNAME, HCCL_OVER_OFI, HF_ENDPOINT."
      + " Values from Secrets only through valueFrom.secretKeyRef.")
  public List<EnvVar> env;

  @JsonPropertyDescription("Hugging Face token for gated models and datasets, passed to the trainer as HF_TOKEN"
      + " through a secretKeyRef only.")
  public SecretKeyRef hfTokenSecretRef;

  @Required
  @JsonPropertyDescription("Volume for checkpoints, the final model (final/), merged LoRA weights (merged/) and"
      + " metrics.json. Never deleted by the operator.")
  public OutputSpec output;

  @JsonPropertyDescription("Volume used as the Hugging Face cache (HF_HOME) for models and datasets.")
  public CacheSpec cache;

  @JsonPropertyDescription("Node selection, tolerations, priority, scheduler and Kueue queue of the workers.")
  public SchedulingSpec scheduling;

  @JsonPropertyDescription("Restarts, deadline, TTL, pod cleanup and suspension.")
  public RunPolicy runPolicy;
}
