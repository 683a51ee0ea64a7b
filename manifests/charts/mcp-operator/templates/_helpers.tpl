{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "mcp-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the prefix of every object's name. Kept to 40 characters so that "<fullname>-validating-webhook"
and "<fullname>-<namespace>" names stay valid.
*/}}
{{- define "mcp-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else if contains (include "mcp-operator.name" .) .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "mcp-operator.name" .) | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
The operator's instance name: the prefix of its cluster-scoped objects (webhook configurations, cluster
roles) and of the webhook Service and Secret. With scope `namespace` it carries the release namespace, so
two installs of the same release name in two namespaces do not collide on cluster-scoped names.
*/}}
{{- define "mcp-operator.instance" -}}
{{- if eq .Values.operator.rbac.scope "namespace" }}
{{- printf "%s-%s" (include "mcp-operator.fullname" .) .Release.Namespace | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- include "mcp-operator.fullname" . }}
{{- end }}
{{- end }}

{{- define "mcp-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mcp-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mcp-operator
{{- end }}

{{- define "mcp-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mcp-operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (include "mcp-operator.fullname" .) .Values.operator.serviceAccount.name }}
{{- else }}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The namespaces served with scope `namespace`; fails the render when none is given. */}}
{{- define "mcp-operator.allowedNamespaces" -}}
{{- if eq .Values.operator.rbac.scope "namespace" }}
{{- if not .Values.operator.rbac.allowedNamespaces }}
{{- fail "operator.rbac.allowedNamespaces must list at least one namespace when operator.rbac.scope is namespace" }}
{{- end }}
{{- toJson .Values.operator.rbac.allowedNamespaces }}
{{- else if ne .Values.operator.rbac.scope "cluster" }}
{{- fail (printf "operator.rbac.scope must be cluster or namespace, not %q" .Values.operator.rbac.scope) }}
{{- else }}
{{- toJson list }}
{{- end }}
{{- end }}

{{/*
The namespaces the admission webhooks leave out (their namespaceSelector, as webhook/configuration.ts),
so that a broken webhook cannot lock the operator out of its own namespace. An MCPServer there is never
validated, so the controller ignores them too (--ignore-namespaces) unless
operator.reconcileExcludedNamespaces. One list for both, so that they cannot drift.
*/}}
{{- define "mcp-operator.webhookExcludedNamespaces" -}}
{{- toJson (list "kube-system" "kube-node-lease" .Release.Namespace) }}
{{- end }}

{{- define "mcp-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "mcp-operator.instance" .) }}
{{- end }}

{{- define "mcp-operator.policyConfigMapName" -}}
{{- printf "%s-policy" (include "mcp-operator.fullname" .) }}
{{- end }}

{{- define "mcp-operator.proxyImage" -}}
{{- default .Values.operator.image .Values.operator.toolhiveRunnerImage }}
{{- end }}

{{/* The operator container's arguments (`mcp-operator run`: webhooks on every replica, the controller on the leader). */}}
{{- define "mcp-operator.args" -}}
{{- $allowed := include "mcp-operator.allowedNamespaces" . | fromJsonArray -}}
- run
- --port={{ .Values.webhook.port }}
{{- if .Values.webhook.certManager.enabled }}
- --cert-dir=/etc/mcp-operator/tls
{{- else }}
- --self-managed
{{- end }}
- --namespace={{ .Release.Namespace }}
- --name={{ include "mcp-operator.instance" . }}
- --policy-configmap={{ .Release.Namespace }}/{{ include "mcp-operator.policyConfigMapName" . }}
- --leader-elect
- --workers={{ .Values.operator.workers }}
- --metrics-port={{ .Values.operator.metricsPort }}
- --cluster-domain={{ .Values.operator.clusterDomain }}
- --proxy-image={{ include "mcp-operator.proxyImage" . }}
{{- with .Values.operator.serviceAccountIssuer }}
- --service-account-issuer={{ . }}
{{- end }}
{{- if not .Values.operator.reconcileExcludedNamespaces }}
- --ignore-namespaces={{ include "mcp-operator.webhookExcludedNamespaces" . | fromJsonArray | join "," }}
{{- end }}
{{- if $allowed }}
- --namespaces={{ join "," $allowed }}
{{- end }}
{{- end }}
