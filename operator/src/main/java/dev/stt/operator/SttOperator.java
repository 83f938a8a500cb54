package dev.stt.operator;

import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.reconciler.TrainingReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;

/** The JOSDK operator with this project's reconciler, as production and the tests run it. */
public final class SttOperator {
  private SttOperator() {}

  public static Operator create(KubernetesClient client, OperatorSettings settings, Clock clock) {
    Operator operator = new Operator(o -> o
        .withKubernetesClient(client)
        // Merge patches and updates, no server-side apply: as Flink and Spark operators run, and what the tests'
        // mock API server supports.
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withCloseClientOnStop(false));
    operator.register(new TrainingReconciler(TrainingValidator.bundled(), settings.trainerImage(), clock),
        c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    return operator;
  }
}
