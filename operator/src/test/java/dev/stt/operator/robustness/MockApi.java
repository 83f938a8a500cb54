package dev.stt.operator.robustness;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Fault injection on the fabric8 CRUD mock API server. Expectations ({@code server.expect()}) take precedence over the
 * CRUD store for requests with exactly their method and path; an intercepting expectation registered here answers each
 * such request with a fault, or hands it to the CRUD store (so the write really happens), as its rule decides.
 *
 * <p>The CRUD dispatcher and its watch connections are private to the mock: they are reached by reflection, which
 * fabric8 does not promise to keep working across versions (7.5.2 here).
 */
final class MockApi {
  /** A reply that replaces the API server's: an HTTP code and a Kubernetes Status body. */
  record Fault(int code, String reason, String message) {
    String body() {
      return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
          + quote(message) + ",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    static Fault conflict(String what) {
      return new Fault(409, "Conflict", "Operation cannot be fulfilled on " + what
          + ": the object has been modified; please apply your changes to the latest version and try again");
    }

    static Fault internalError() {
      return new Fault(500, "InternalError", "Internal error occurred: etcdserver: request timed out");
    }

    static Fault quotaExceeded(String pod) {
      return new Fault(403, "Forbidden", "pods \"" + pod + "\" is forbidden: exceeded quota: gaudi, requested:"
          + " habana.ai/gaudi=1, used: habana.ai/gaudi=8, limited: habana.ai/gaudi=8");
    }
  }

  private final KubernetesMockServer server;
  private final Dispatcher crud;
  private final List<String> seen = new ArrayList<>();

  MockApi(KubernetesMockServer server) {
    this.server = server;
    Object mixed = read(server, KubernetesMockServer.class, "dispatcher");
    this.crud = (Dispatcher) read(mixed, mixed.getClass(), "kubernetesCrudDispatcher");
  }

  static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  /**
   * The next {@code times} requests (0: all) with this method and path go through {@code rule}: a fault when it returns
   * one, else the CRUD store. The reply is sent after {@code delayMillis} (0: at once) in both cases.
   */
  void intercept(HttpMethod method, String path, long delayMillis, int times,
      Function<RecordedRequest, Fault> rule) {
    var expectation = server.expect();
    var pathable = switch (method) {
      case POST -> expectation.post();
      case PUT -> expectation.put();
      case PATCH -> expectation.patch();
      case DELETE -> expectation.delete();
      case GET -> expectation.get();
      default -> expectation.any();
    };
    var replyable = delayMillis > 0 ? pathable.delay(delayMillis, TimeUnit.MILLISECONDS).withPath(path)
        : pathable.withPath(path);
    var repeatable = replyable.andReply(new Intercepting(rule));
    if (times > 0) {
      repeatable.times(times);
    } else {
      repeatable.always();
    }
  }

  /** Every request with this method and path goes through {@code rule}. */
  void intercept(HttpMethod method, String path, Function<RecordedRequest, Fault> rule) {
    intercept(method, path, 0, 0, rule);
  }

  /** Closes every open watch connection from the server side, as an API server restart or a proxy timeout does. */
  int dropWatches() {
    Collection<?> listeners = (Collection<?>) read(crud, crud.getClass(), "watchEventListeners");
    List<WebSocket> sockets = new ArrayList<>();
    synchronized (listeners) {
      for (Object listener : listeners) {
        @SuppressWarnings("unchecked")
        var ref = (AtomicReference<WebSocket>) read(listener, listener.getClass(), "webSocketRef");
        if (ref.get() != null) {
          sockets.add(ref.get());
        }
      }
    }
    sockets.forEach(s -> s.close(1001, "going away"));
    return sockets.size();
  }

  int openWatches() {
    return ((Collection<?>) read(crud, crud.getClass(), "watchEventListeners")).size();
  }

  /** Every request the server recorded so far, as "METHOD path". */
  synchronized List<String> requests() {
    try {
      for (RecordedRequest r = server.takeRequest(1, TimeUnit.MILLISECONDS); r != null;
          r = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
        seen.add(r.getMethod() + " " + r.getPath());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.copyOf(seen);
  }

  private final class Intercepting implements ResponseProvider<Object> {
    private final Function<RecordedRequest, Fault> rule;
    private final Map<RecordedRequest, MockResponse> answers = new IdentityHashMap<>();
    private Headers headers = Headers.builder().add("Content-Type", "application/json").build();

    Intercepting(Function<RecordedRequest, Fault> rule) {
      this.rule = rule;
    }

    @Override
    public synchronized int getStatusCode(RecordedRequest request) {
      Fault fault = rule.apply(request);
      MockResponse answer = fault != null ? new MockResponse().setResponseCode(fault.code()).setBody(fault.body())
          : crud.dispatch(request);
      answers.put(request, answer);
      return answer.code();
    }

    @Override
    public synchronized Object getBody(RecordedRequest request) {
      MockResponse answer = answers.remove(request);
      return answer == null || answer.getBody() == null ? ""
          : new String(answer.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public Headers getHeaders() {
      return headers;
    }

    @Override
    public void setHeaders(Headers headers) {
      this.headers = headers;
    }
  }

  private static Object read(Object target, Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(type + " has no field " + name + ": the fabric8 mock changed");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
