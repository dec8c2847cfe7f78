"""Checks deploy/kubernetes offline and says how its containers run.

Usage: check_manifests.py PACKAGE_ROOT

Prints one JSON document:
- "validated": each resource and the schema it passed (Kubernetes' own schemas from
  kubernetes-validate, strict, for the oldest and newest versions we claim; a subset of
  KEDA's ScaledObject written from its documentation, as no package ships KEDA's CRDs);
- "problems": every failed check (schema errors, and cross-references a schema cannot see:
  selectors, probe ports against the listen addresses in tributary.toml, Secret keys,
  the autoscaler's ceiling against the partition count, the grace period against the
  batch interval, Prometheus config and rules through promtool, the Dockerfile);
- "containers": for each workload, what the kubelet would run: command, args, env (literal
  values, or the Secret key they come from), mounted ConfigMap files, ports and probes.
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
root = sys.argv[1]
kdir = os.path.join(root, "deploy", "kubernetes")
here = os.path.dirname(os.path.abspath(__file__))
problems = []
validated = []


def problem(text):
    problems.append(text)


# MARK: schemas

kustomization = yaml.safe_load(open(os.path.join(kdir, "kustomization.yaml")))
listed = kustomization.get("resources", [])
present = sorted(f for f in os.listdir(kdir) if f.endswith(".yaml") and f != "kustomization.yaml")
if sorted(listed) != present:
    problem(f"kustomization.yaml lists {sorted(listed)} but the folder holds {present}")
documents = []
for name in listed:
    for doc in yaml.safe_load_all(open(os.path.join(kdir, name))):
        if doc:
            documents.append((name, doc))

keda_schema = json.load(open(os.path.join(here, "keda-scaledobject.schema.json")))


def schema_errors(doc):
    """Errors of one resource against its schema (empty: valid)."""
    if doc.get("kind") == "ScaledObject":
        errors = [e.message for e in jsonschema.Draft202012Validator(keda_schema).iter_errors(doc)]
        behavior = doc.get("spec", {}).get("advanced", {}).get("horizontalPodAutoscalerConfig", {}).get("behavior")
        if behavior is not None:
            # KEDA passes it on to an autoscaling/v2 HorizontalPodAutoscaler: check it there.
            hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"},
                   "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
                            "maxReplicas": 1, "behavior": behavior}}
            errors += schema_errors(hpa)
        return errors
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"Kubernetes {version}: {error.message} at {'/'.join(str(p) for p in error.path)}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"Kubernetes {version}: no schema: {error}")
    return errors


for name, doc in documents:
    errors = schema_errors(doc)
    schema = "KEDA ScaledObject (documented subset)" if doc["kind"] == "ScaledObject" else \
        "Kubernetes " + " and ".join(KUBERNETES_VERSIONS) + " (strict)"
    ident = f"{name}: {doc['kind']}/{doc['metadata']['name']}"
    if errors:
        problem(f"{ident}: " + "; ".join(errors))
    else:
        validated.append(f"{ident} against {schema}")

# The validators must be able to fail: a misspelt field and a wrong type are refused.
deployment = next(doc for _, doc in documents if doc["kind"] == "Deployment")
broken = copy.deepcopy(deployment)
broken["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = broken["spec"]["template"]["spec"]["containers"][0].pop("livenessProbe")
if not schema_errors(broken):
    problem("the Kubernetes validator accepted a Deployment with a misspelt field (livenessProbes)")
scaled = copy.deepcopy(next(doc for _, doc in documents if doc["kind"] == "ScaledObject"))
scaled["spec"]["maxReplicaCount"] = "six"
if not schema_errors(scaled):
    problem("the KEDA schema accepted maxReplicaCount: 'six'")

# MARK: cross-references

index = {(doc["kind"], doc["metadata"]["name"]): doc for _, doc in documents}
config_map = index.get(("ConfigMap", "tributary-config"))
config = tomllib.loads(config_map["data"]["tributary.toml"]) if config_map else {}
secrets = {name: doc.get("stringData", {}) for (kind, name), doc in index.items() if kind == "Secret"}
service_account = index.get(("ServiceAccount", "tributary"))
role_arn = (service_account or {}).get("metadata", {}).get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
if not re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+", role_arn):
    problem(f"the ServiceAccount's eks.amazonaws.com/role-arn is not a role ARN: '{role_arn}'")


def duration_seconds(text):
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h|d)", text).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def listen_port(key):
    section, name = key.split(".")
    return int(config[section][name].rsplit(":", 1)[1])


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


workloads = {}
for (kind, name), doc in index.items():
    if kind in ("Deployment", "Job"):
        workloads[name] = doc

containers = {}
for name, doc in workloads.items():
    pod = doc["spec"]["template"]
    spec = pod["spec"]
    labels = pod["metadata"].get("labels", {})
    if doc["kind"] == "Deployment" and not labels_match(doc["spec"]["selector"]["matchLabels"], labels):
        problem(f"{name}: the selector does not match the pod labels")
    if spec.get("serviceAccountName") != "tributary":
        problem(f"{name}: runs without the tributary service account (no web identity for S3)")
    security = spec.get("securityContext", {})
    if security.get("runAsNonRoot") is not True or not security.get("runAsUser"):
        problem(f"{name}: not forced to a non-root user")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for container in spec["containers"]:
        ident = f"{name}/{container['name']}"
        if container.get("securityContext", {}).get("readOnlyRootFilesystem") is not True:
            problem(f"{ident}: the root file system is writable")
        mounts = []
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume is None:
                problem(f"{ident}: mounts an undefined volume {mount['name']}")
                continue
            if "configMap" in volume:
                source = index.get(("ConfigMap", volume["configMap"]["name"]))
                if source is None:
                    problem(f"{ident}: mounts the missing ConfigMap {volume['configMap']['name']}")
                    continue
                mounts.append({"path": mount["mountPath"], "files": source["data"]})
            elif "secret" in volume:
                secret_name = volume["secret"]["secretName"]
                items = volume["secret"].get("items") or [{"key": k, "path": k} for k in secrets.get(secret_name, {})]
                for item in items:
                    if item["key"] not in secrets.get(secret_name, {}):
                        problem(f"{ident}: mounts the missing Secret key {secret_name}/{item['key']}")
                mounts.append({"path": mount["mountPath"], "files": {},
                               "secretFiles": {item["path"]: f"{secret_name}/{item['key']}" for item in items}})
            else:
                mounts.append({"path": mount["mountPath"], "files": {}})
        env = []
        for item in container.get("env", []):
            if "value" in item:
                env.append({"name": item["name"], "value": item["value"]})
                continue
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref is None:
                problem(f"{ident}: env {item['name']} comes from something other than a value or a Secret")
                continue
            if ref["key"] not in secrets.get(ref["name"], {}):
                problem(f"{ident}: env {item['name']} reads the missing Secret key {ref['name']}/{ref['key']}")
            env.append({"name": item["name"], "secret": ref["name"], "key": ref["key"],
                        "optional": ref.get("optional", False)})
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        probes = {}
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = container.get(kind)
            if probe is None:
                continue
            port = probe["httpGet"]["port"]
            port = ports.get(port) if isinstance(port, str) else port
            if port is None:
                problem(f"{ident}: {kind} names a port the container does not declare")
                continue
            budget = probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
            probes[kind] = {"path": probe["httpGet"]["path"], "port": port, "budgetSeconds": budget}
        command = container.get("command", []) + container.get("args", [])
        subcommand = command[1] if len(command) > 1 else ""
        if doc["kind"] == "Deployment":
            if probes.get("livenessProbe", {}).get("path") != "/healthz":
                problem(f"{ident}: liveness is not /healthz")
            if probes.get("readinessProbe", {}).get("path") != "/readyz":
                problem(f"{ident}: readiness is not /readyz")
            listen = {"process": "metrics.listen", "web": "web.listen"}.get(subcommand)
            if listen is None:
                problem(f"{ident}: runs '{subcommand}', which serves no probes")
            else:
                for kind, probe in probes.items():
                    if probe["port"] != listen_port(listen):
                        problem(f"{ident}: {kind} probes port {probe['port']} but {listen} is {config[listen.split('.')[0]][listen.split('.')[1]]}")
                annotations = pod["metadata"].get("annotations", {})
                if annotations.get("prometheus.io/port") != str(listen_port(listen)):
                    problem(f"{ident}: prometheus.io/port is not the {listen} port")
                if not config[listen.split(".")[0]][listen.split(".")[1]].startswith("0.0.0.0:"):
                    problem(f"{ident}: {listen} listens on loopback only: the kubelet could not probe it")
            grace = spec.get("terminationGracePeriodSeconds", 30)
            if subcommand == "process":
                interval = duration_seconds(config["processing"]["interval"])
                # A batch polls for up to one interval, then commits (rewriting base files).
                if grace < 2 * interval + 30:
                    problem(f"{ident}: terminationGracePeriodSeconds {grace} is not above one batch ({interval} s + its commit)")
        containers[name] = {"kind": doc["kind"], "command": command, "env": env, "mounts": mounts, "ports": ports,
                            "probes": probes, "grace": spec.get("terminationGracePeriodSeconds", 30),
                            "labels": labels}

processor = workloads.get("tributary-processor")
pdb = index.get(("PodDisruptionBudget", "tributary-processor"))
if processor is None or pdb is None:
    problem("the processor Deployment or its PodDisruptionBudget is missing")
else:
    if not labels_match(pdb["spec"]["selector"]["matchLabels"], processor["spec"]["template"]["metadata"]["labels"]):
        problem("the PodDisruptionBudget does not select the processor pods")
    if processor["spec"]["replicas"] < 2:
        problem("a single processor replica: nothing to keep available during disruptions")
service = index.get(("Service", "tributary-web"))
web = workloads.get("tributary-web")
if service and web:
    if not labels_match(service["spec"]["selector"], web["spec"]["template"]["metadata"]["labels"]):
        problem("the web Service does not select the web pods")
    for port in service["spec"]["ports"]:
        if port["targetPort"] not in containers["tributary-web"]["ports"]:
            problem(f"the web Service targets the undeclared port {port['targetPort']}")
scaled = index.get(("ScaledObject", "tributary-processor"))
if scaled:
    if scaled["spec"]["scaleTargetRef"]["name"] != "tributary-processor":
        problem("the autoscaler does not scale the processor Deployment")
    if scaled["spec"]["maxReplicaCount"] > config["kafka"]["partitions"]:
        problem(f"the autoscaler may run {scaled['spec']['maxReplicaCount']} processors for {config['kafka']['partitions']} partitions")
    if not any("tributary_consumer_lag" in t["metadata"].get("query", "") for t in scaled["spec"]["triggers"]):
        problem("the autoscaler does not scale on tributary_consumer_lag")
else:
    problem("no lag autoscaler")

# MARK: Prometheus: the scrape job the alerts expect, the rules, promtool

prometheus = index.get(("ConfigMap", "tributary-prometheus"))
if prometheus is None:
    problem("no Prometheus ConfigMap")
else:
    rules_file = os.path.join(root, "deploy", "prometheus", "alerts.yml")
    if prometheus["data"].get("alerts.yml") != open(rules_file).read():
        problem("the Prometheus ConfigMap's alerts.yml differs from deploy/prometheus/alerts.yml")
    scrape = yaml.safe_load(prometheus["data"]["prometheus.yml"])
    if "tributary" not in [job["job_name"] for job in scrape.get("scrape_configs", [])]:
        problem("no scrape job named tributary (TributaryProcessorDown reads up{job=\"tributary\"})")
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "alerts.yml")
        open(rules, "w").write(prometheus["data"]["alerts.yml"])
        scrape["rule_files"] = [rules]
        # Debian builds Prometheus without Kubernetes service discovery: promtool would
        # refuse kubernetes_sd_configs, so it checks the rest of each job (relabelling
        # included) with a static target in its place.
        for job in scrape["scrape_configs"]:
            if job.pop("kubernetes_sd_configs", None) is not None:
                job["static_configs"] = [{"targets": ["127.0.0.1:9464"]}]
        config_file = os.path.join(tmp, "prometheus.yml")
        open(config_file, "w").write(yaml.safe_dump(scrape))
        checked = subprocess.run(["promtool", "check", "config", config_file], capture_output=True, text=True)
        if checked.returncode != 0:
            problem("promtool check config: " + (checked.stdout + checked.stderr).strip())
        else:
            validated.append("prometheus.yaml: prometheus.yml (kubernetes_sd_configs swapped for a static target) "
                             "and alerts.yml with promtool check config")

# MARK: Dockerfile

dockerfile = open(os.path.join(root, "Dockerfile")).read()
stages = re.findall(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", dockerfile, re.M | re.I)
if len(stages) < 2:
    problem("the Dockerfile is not multi-stage")
users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
if not users or users[-1].split(":")[0] in ("root", "0"):
    problem("the Dockerfile's final stage runs as root")
elif processor and users[-1].split(":")[0] != str(processor["spec"]["template"]["spec"]["securityContext"]["runAsUser"]):
    problem(f"the Dockerfile's USER {users[-1]} is not the pods' runAsUser")
requirements = open(os.path.join(root, "scripts", "requirements.txt")).read()
for package in ("confluent-kafka", "duckdb-cli"):
    pinned = re.search(rf"^{package}==(\S+)", requirements, re.M).group(1)
    if f"{package}=={pinned}" not in dockerfile:
        problem(f"the Dockerfile does not take {package}=={pinned} (scripts/requirements.txt)")

print(json.dumps({"validated": validated, "problems": problems, "containers": containers,
                  "roleArn": role_arn, "config": config}, indent=1))
