package dev.stt.operator.render;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** Headless Service that gives each worker a DNS name, so worker 0 is the rendezvous point of a multi-node run. */
public final class RendezvousService {
  private RendezvousService() {}

  public static Service desired(SentenceTransformerTraining training) {
    return new ServiceBuilder()
        .withMetadata(Owned.meta(training, ObjectNames.rendezvousService(training.getMetadata().getName()),
            Labels.common(training)))
        .withNewSpec()
          .withClusterIP("None")
          // Ranks resolve each other before any pod is Ready.
          .withPublishNotReadyAddresses(true)
          .withSelector(Labels.workerSelector(training))
          .addNewPort().withName("rendezvous").withPort(TrainConfig.MASTER_PORT).withTargetPort(
              new io.fabric8.kubernetes.api.model.IntOrString(TrainConfig.MASTER_PORT)).endPort()
        .endSpec()
        .build();
  }

  /** DNS name of a worker pod behind the Service. */
  public static String hostOf(SentenceTransformerTraining training, int index) {
    String name = training.getMetadata().getName();
    return ObjectNames.workerPod(name, index) + "." + ObjectNames.rendezvousService(name) + "."
        + training.getMetadata().getNamespace() + ".svc";
  }
}
