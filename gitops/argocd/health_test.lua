-- Runs health.lua the way Argo CD does (the resource in the global `obj`) for a status of every phase.
-- Usage: lua5.4 gitops/argocd/health_test.lua   (prints "N passed, N failed"; exit code 1 on a failure)
local dir = arg[0]:match("(.*/)") or "./"
local check = assert(loadfile(dir .. "health.lua"))

local function resource(phase, message, generation, observed)
  local status = nil
  if phase ~= nil then
    status = { phase = phase, message = message, observedGeneration = observed or 1 }
  end
  return { metadata = { name = "run", generation = generation or 1 }, status = status }
end

local cases = {
  { "Pending", "1/2 workers running", "Progressing" },
  { "Running", "training on 2x8 cards", "Progressing" },
  { "Restarting", "restart 1/3 after run-worker-1 OOMKilled", "Progressing" },
  { "Succeeded", "training finished", "Healthy" },
  { "Failed", "invalid spec: spec.resources.hbmGiB = 96", "Degraded" },
  { "Suspended", "suspended: set runPolicy.suspend to false", "Suspended" },
}

local passed, failed = 0, 0
local function expect(name, got, want_status, want_message)
  if got.status == want_status and (want_message == nil or got.message == want_message) then
    passed = passed + 1
  else
    failed = failed + 1
    print(string.format("FAIL %s: got %s / %s, want %s / %s", name, tostring(got.status), tostring(got.message),
      want_status, tostring(want_message)))
  end
end

for _, c in ipairs(cases) do
  obj = resource(c[1], c[2])
  expect(c[1], check(), c[3], c[2])
end
obj = resource(nil)
expect("no status yet", check(), "Progressing", nil)
obj = resource("Succeeded", "done", 2, 1)
expect("stale generation", check(), "Progressing", nil)
obj = resource("Running", nil)
expect("no message", check(), "Progressing", "Running")
obj = resource("Exploded", "?")
expect("unknown phase", check(), "Unknown", "?")

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
