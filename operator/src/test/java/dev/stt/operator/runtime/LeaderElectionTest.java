package dev.stt.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.operator.OperatorSettings;
import dev.stt.operator.Trainings;
import dev.stt.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two replicas with leader election: one reconciles, the other stands by and takes over when the first stops. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  KubernetesClient client;
  KubernetesMockServer server;
  private OperatorHarness first;
  private OperatorHarness second;

  private static OperatorSettings replica(String identity) {
    return new OperatorSettings(Set.of(), OperatorHarness.IMAGE, Optional.of(new OperatorSettings.LeaderElection(
        "stt-operator", "ml", identity, Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200),
        false)), 0, Duration.ofSeconds(15));
  }

  @BeforeEach
  void grantLeases() {
    // JOSDK checks its Lease permissions at start with a SelfSubjectRulesReview, which the mock cannot answer.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
            .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("get", "create", "update")
            .endResourceRule().withIncomplete(false).endStatus().build())
        .always();
  }

  @AfterEach
  void stop() {
    if (second != null) {
      second.close();
    }
    first.close();
  }

  @Test
  void onlyTheLeaderReconcilesAndTheStandbyTakesOver() {
    first = new OperatorHarness(client).start(replica("replica-a"), new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(10)).until(() -> first.operator().isLeader());
    second = new OperatorHarness(client).start(replica("replica-b"), new SimpleMeterRegistry());
    assertThat(client.leases().inNamespace("ml").withName("stt-operator").get().getSpec().getHolderIdentity())
        .isEqualTo("replica-a");
    // The standby counts as ready, or a rolling update of the Deployment would never finish.
    assertThat(second.operator().ready()).isTrue();

    first.apply(Trainings.example("sts-mpnet-2x8.yaml"));
    first.awaitPods("sts-mpnet-2x8", 2, 0);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(second.operator().isLeader()).isFalse();
      assertThat(first.pods("sts-mpnet-2x8")).hasSize(2);
    });

    first.stop();
    await().atMost(Duration.ofSeconds(15)).until(() -> second.operator().isLeader());
    second.apply(Trainings.example("sts-mpnet-1card.yaml"));
    second.awaitPods("sts-mpnet-1card", 1, 0);
    assertThat(second.pods("sts-mpnet-2x8")).hasSize(2);
  }
}
