/**
 * The step of the publish job that links each uploaded file to the tag's GitLab release, as the
 * shell text that goes into `script:`. uv publish does not touch releases (uv's GitLab guide), and
 * the uv image has Python but neither glab nor curl, so it is a small standard-library script:
 * create the release when missing (POST /projects/:id/releases, 409 = created meanwhile), then POST
 * /projects/:id/releases/:tag/assets/links for each file with the registry's download URL
 * `<publish URL>/files/<sha256>/<file>` (https://docs.gitlab.com/api/releases/links/). A re-run finds the links already
 * there (400 "has already been taken") and carries on.
 */

const SCRIPT = `# Link every file in dist/ to this tag's GitLab release, creating the release if needed.
import hashlib, json, os, pathlib, urllib.error, urllib.parse, urllib.request

tag = os.environ["CI_COMMIT_TAG"]
releases = f"{os.environ['CI_API_V4_URL']}/projects/{os.environ['CI_PROJECT_ID']}/releases"
release = f"{releases}/{urllib.parse.quote(tag, safe='')}"
registry = os.environ["UV_PUBLISH_URL"].rstrip("/")
# A job token goes in JOB-TOKEN; gitlab-ci-local (GITLAB_CI=false) runs with a personal token.
auth = "JOB-TOKEN" if os.environ.get("GITLAB_CI") == "true" else "PRIVATE-TOKEN"

def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {auth: os.environ["CI_JOB_TOKEN"], "Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method)) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()

status, body = call("GET", release)
if status == 404:
    status, body = call("POST", releases, {"tag_name": tag, "name": tag})
if status not in (200, 201, 409):
    raise SystemExit(f"release {tag}: HTTP {status} {body}")
for path in sorted(pathlib.Path("dist").iterdir()):
    if not path.name.endswith((".whl", ".tar.gz")):
        continue
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    link = {"name": path.name, "url": f"{registry}/files/{sha256}/{path.name}", "link_type": "package"}
    status, body = call("POST", f"{release}/assets/links", link)
    if status == 400 and "already been taken" in body:
        print(f"{path.name}: already linked to release {tag}")
    elif status == 201:
        print(f"{path.name}: linked to release {tag}")
    else:
        raise SystemExit(f"{path.name}: HTTP {status} {body}")
`;

/**
 * The Python program alone (tests run it against the GitLab stand-in).
 * @internal
 */
export function releaseLinksProgram(): string {
  return SCRIPT;
}

/** The `script:` entry: the program on stdin of the image's Python, through uv. */
export function releaseLinksStep(): string {
  // A quoted here-document: the shell expands nothing in the program.
  return `uv run --no-project python - <<'PY'\n${SCRIPT}PY\n`;
}
