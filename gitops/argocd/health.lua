-- Argo CD health check for stt.dev/SentenceTransformerTraining.
-- Install: argocd-cm, key resource.customizations.health.stt.dev_SentenceTransformerTraining (see gitops/README.md).
local hs = {}
local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to validate and plan the run"
  return hs
end
-- A status from an older generation says nothing about the current spec yet.
if status.observedGeneration ~= nil and obj.metadata ~= nil and obj.metadata.generation ~= nil
    and status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end
local phase = status.phase
local message = status.message or phase
if phase == "Succeeded" then
  hs.status = "Healthy"
elseif phase == "Failed" then
  hs.status = "Degraded"
elseif phase == "Suspended" then
  hs.status = "Suspended"
elseif phase == "Pending" or phase == "Running" or phase == "Restarting" then
  hs.status = "Progressing"
else
  hs.status = "Unknown"
end
hs.message = message
return hs
