#!/usr/bin/env bash
# usage: [MISSING_OK=1] deploy-smoke.sh <function name> <request JSON> <report file>
# Invokes the stage's deploy smoke function (functions/deploy-smoke.ts) and waits for its answer, writes its report
# to the job summary, and fails unless it passed. The function runs up to 15 minutes: the CLI's 60-second read
# timeout would give up on it first.
set -euo pipefail
FUNCTION="$1" REQUEST="$2" REPORT="$3"
if ! RESPONSE=$(aws lambda invoke --function-name "$FUNCTION" --cli-binary-format raw-in-base64-out --cli-read-timeout 900 \
  --payload "$REQUEST" "$REPORT" 2>invoke-error.txt); then
  # A stage deployed before the function existed: its first deploy with it creates it.
  if [ "${MISSING_OK:-}" = "1" ] && grep -q ResourceNotFoundException invoke-error.txt; then
    echo "$FUNCTION does not exist yet: nothing to wait for."
    exit 0
  fi
  cat invoke-error.txt >&2
  exit 1
fi
if [ "$(jq -r '.FunctionError // empty' <<<"$RESPONSE")" != "" ]; then
  echo "::error::$FUNCTION failed: $(cat "$REPORT")"
  exit 1
fi
{
  echo "### Deploy smoke on $(jq -r '.stage' "$REPORT") ($(jq -r '.url' "$REPORT"), from inside the VPC)"
  jq -r '.ready // empty | "- ready: \(if .ok then "✅" else "❌" end) \(.detail)"' "$REPORT"
  jq -r '.results[]? | "- \(if .passed then "✅" else "❌" end) \(.check): \(.detail) (\(.attempts) attempts)"' "$REPORT"
} | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}"
jq -e '.passed == true' "$REPORT" >/dev/null
