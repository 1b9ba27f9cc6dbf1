#!/usr/bin/env bash
# Deploys an overlay (or any kustomization built on infra/k8s/base) in the order a release needs:
#   1. everything but the Deployments: namespace, settings, Secret (local), Services, policies,
#      budgets, autoscalers, and the migration Job (the previous release's finished Job is deleted
#      first: a Job's pod template cannot change);
#   2. waits until the migration Job completes; when it fails, stops here and nothing rolls;
#   3. applies the Deployments (a rolling update when their images changed) and waits for each.
# Usage: infra/k8s/deploy.sh <kustomization dir>      (KUBECTL, NAMESPACE and TIMEOUT may be set)
set -euo pipefail
dir="${1:?usage: deploy.sh <kustomization dir>}"
KUBECTL="${KUBECTL:-kubectl}"
NAMESPACE="${NAMESPACE:-switchboard}"
TIMEOUT="${TIMEOUT:-900}"
k() { "$KUBECTL" "$@"; }
say() { printf 'deploy: %s\n' "$*" >&2; }
apply() { k apply --server-side --field-manager=switchboard-deploy --force-conflicts -k "$dir" "$@" >&2; }

# 1. What the rollout depends on, and the migration Job.
k -n "$NAMESPACE" delete job switchboard-migrate --ignore-not-found --wait=true >&2 2>/dev/null || true
apply -l 'app.kubernetes.io/component!=service'

# 2. The schema first.
say "waiting for job/switchboard-migrate"
deadline=$(($(date +%s) + TIMEOUT))
while :; do
  state="$(k -n "$NAMESPACE" get job switchboard-migrate \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')"
  case " $state " in
    *" Complete "*) say "migrations applied"; break ;;
    *" Failed "*)
      say "the migration Job failed; nothing was rolled (kubectl -n $NAMESPACE logs job/switchboard-migrate --all-containers)"
      exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then say "the migration Job did not finish in ${TIMEOUT}s"; exit 1; fi
  sleep 1
done

# 3. The services.
apply -l 'app.kubernetes.io/component=service'
for d in $(k -n "$NAMESPACE" get deployments -l app.kubernetes.io/part-of=switchboard -o name); do
  k -n "$NAMESPACE" rollout status "$d" --timeout="${TIMEOUT}s" >&2
done
say "done"
