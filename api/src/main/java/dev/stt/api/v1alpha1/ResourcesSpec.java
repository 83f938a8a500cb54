package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.hostIPC) && self.hostIPC && has(self.sharedMemory))",
    message = "resources.sharedMemory sizes the /dev/shm emptyDir, which is not used with hostIPC: true;"
        + " remove one of them",
    fieldPath = ".sharedMemory")
public class ResourcesSpec {
  /** A positive Kubernetes quantity, e.g. 16, 500m, 128Gi. */
  public static final String QUANTITY = "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)([KMGTPE]i|[kMGTPE]|m)?$";

  @Min(1)
  @Max(8)
  @JsonPropertyDescription("Gaudi cards per worker pod, 1..8. Default: 1.")
  public Integer cards;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Worker pods (nodes). World size = workers x cards. Default: 1.")
  public Integer workers;

  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @JsonPropertyDescription("Extended resource name the Habana device plugin advertises. Default: habana.ai/gaudi.")
  public String hpuResourceName;

  @Pattern(QUANTITY)
  @JsonPropertyDescription("CPU request and limit per worker. Default: 16 per card.")
  public String cpu;

  @Pattern(QUANTITY)
  @JsonPropertyDescription("Memory request and limit per worker. Default: 128Gi for one card, 96Gi per card above.")
  public String memory;

  @Pattern(QUANTITY)
  @JsonPropertyDescription("hugepages-2Mi request and limit per worker, which the Gaudi runtime needs. Default: 4400Mi"
      + " per card.")
  public String hugepages2Mi;

  @Pattern(QUANTITY)
  @JsonPropertyDescription("Size limit of the /dev/shm emptyDir (medium Memory) used instead of the host's IPC"
      + " namespace. Default: 32Gi. Not allowed with hostIPC: true.")
  public String sharedMemory;

  @JsonPropertyDescription("Opt-in: share the host's IPC namespace, as Intel's examples do. Pod Security \"baseline\""
      + " forbids it; the default /dev/shm emptyDir serves multi-card runs. Default: false.")
  public Boolean hostIPC;

  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("HBM per card in GiB, for the memory-fit planner (Gaudi2: 96, Gaudi3: 128). Default: 96.")
  public Integer hbmGiB;
}
