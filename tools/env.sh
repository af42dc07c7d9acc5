# Shared settings for the account_xero developer scripts (sourced, not run).
# Everything that is not the addon itself lives outside the repository, under
# $AXERO_HOME: the virtualenv, the addons path link, Odoo's data dir, logs.
set -euo pipefail

AXERO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AXERO_HOME=${AXERO_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/account_xero}
# Odoo's source: /opt/odoo/18.0 when there, else fetched under $AXERO_HOME.
if [ -z "${ODOO_SRC:-}" ]; then
    ODOO_SRC=/opt/odoo/18.0
    [ -x "$ODOO_SRC/odoo-bin" ] || ODOO_SRC=$AXERO_HOME/odoo-18.0
fi
AXERO_VENV=${AXERO_VENV:-$AXERO_HOME/venv}
AXERO_PY=$AXERO_VENV/bin/python
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-$(id -un)}
export PGHOST PGPORT PGUSER ODOO_SRC AXERO_HOME AXERO_REPO

log() { printf '[account_xero] %s\n' "$*" >&2; }

# Odoo's source: $ODOO_SRC, fetched on first use from $ODOO_GIT (a URL or a
# local mirror) at the tested commit when the branch still reaches it.
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
ODOO_BRANCH=${ODOO_BRANCH:-18.0}
ODOO_COMMIT=${ODOO_COMMIT:-52acb3c1}

check_odoo() {
    [ -x "$ODOO_SRC/odoo-bin" ] && return 0
    if [ -d "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC")" ]; then
        log "ODOO_SRC=$ODOO_SRC is not empty but holds no odoo-bin: point ODOO_SRC at an"
        log "Odoo $ODOO_BRANCH checkout, or remove that folder to have it fetched."
        exit 2
    fi
    fetch_odoo
}

fetch_odoo() {
    local tmp="$ODOO_SRC.partial-$$"
    log "Odoo $ODOO_BRANCH not found at ODOO_SRC=$ODOO_SRC: fetching it from $ODOO_GIT (first run only)"
    mkdir -p "$(dirname "$ODOO_SRC")" || { log "cannot create $(dirname "$ODOO_SRC"): set ODOO_SRC to a writable place"; exit 2; }
    rm -rf "$tmp"
    if ! git clone -q --depth 1 --single-branch --branch "$ODOO_BRANCH" "$ODOO_GIT" "$tmp"; then
        rm -rf "$tmp"
        log "could not fetch Odoo $ODOO_BRANCH from ODOO_GIT=$ODOO_GIT."
        log "Do one of these, then run the command again:"
        log "  - make $ODOO_GIT reachable (network, proxy), or set ODOO_GIT to a mirror (URL or local path);"
        log "  - clone it yourself: git clone --depth 1 --branch $ODOO_BRANCH https://github.com/odoo/odoo.git $ODOO_SRC"
        log "  - or set ODOO_SRC to an existing Odoo $ODOO_BRANCH source tree."
        log "account_xero is tested against odoo/odoo $ODOO_BRANCH at commit $ODOO_COMMIT."
        exit 2
    fi
    # The tested commit: fetched by id (servers allow it for a full id),
    # else by deepening the shallow branch a few times; else the branch tip.
    local c="$ODOO_COMMIT^{commit}" n
    if ! git -C "$tmp" rev-parse -q --verify "$c" >/dev/null; then
        git -C "$tmp" fetch -q --depth 1 origin "$ODOO_COMMIT" 2>/dev/null || true
        for n in 200 1000 3000; do
            git -C "$tmp" rev-parse -q --verify "$c" >/dev/null && break
            git -C "$tmp" fetch -q --deepen="$n" origin "$ODOO_BRANCH" 2>/dev/null || break
        done
    fi
    if git -C "$tmp" -c advice.detachedHead=false checkout -q "$c" 2>/dev/null; then
        log "Odoo checked out at the tested commit $ODOO_COMMIT"
    else
        log "WARNING: commit $ODOO_COMMIT not reachable from $ODOO_GIT $ODOO_BRANCH;"
        log "using the branch tip $(git -C "$tmp" rev-parse --short HEAD) (set ODOO_COMMIT to choose another)"
    fi
    [ -x "$tmp/odoo-bin" ] || { log "$ODOO_GIT $ODOO_BRANCH holds no odoo-bin: is it Odoo?"; rm -rf "$tmp"; exit 2; }
    rmdir "$ODOO_SRC" 2>/dev/null || true
    mv "$tmp" "$ODOO_SRC"
}

# Chromium for the browser tours (Odoo's HttpCase looks for it on PATH):
# Debian's package when we may install it; else say what to do.
ensure_chromium() {
    local b
    for b in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$b" >/dev/null && return 0
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing Debian's chromium for the browser tests (first run only)"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
            && return 0
    fi
    log "WARNING: no Chromium found and it could not be installed here: install the"
    log "chromium package (apt-get install chromium), or the browser tours will not run."
}

# wkhtmltopdf renders the PDF reports (Debian's build: without patched Qt,
# see tests/test_trust_reports_pdf.py for what it drops); pdftotext
# (poppler-utils) reads them back in the PDF tests.
ensure_pdf_tools() {
    command -v wkhtmltopdf >/dev/null && command -v pdftotext >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing Debian's wkhtmltopdf and poppler-utils for the PDF reports (first run only)"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            wkhtmltopdf poppler-utils >/dev/null && return 0
    fi
    log "WARNING: wkhtmltopdf or pdftotext missing and not installable here: install the"
    log "wkhtmltopdf and poppler-utils packages, or the PDF tests will not run."
}

# The addons path must hold a folder named after the technical name; the
# clone may live in a folder of any name, so we link it.
# One link folder per checkout, so two checkouts can run side by side.
AXERO_ADDONS="$AXERO_HOME/addons-$(printf %s "$AXERO_REPO" | sha1sum | cut -c1-8)"
link_addon() {
    mkdir -p "$AXERO_ADDONS"
    ln -sfn "$AXERO_REPO" "$AXERO_ADDONS/account_xero"
}

ensure_venv() {
    # The stamp's name carries the recipe's version (2: setuptools<81), its
    # content the requirement files' sha: a venv made by an older recipe is
    # repaired on its next run.
    local stamp="$AXERO_VENV/.axero-ready-2"
    local want
    want=$(cat "$ODOO_SRC/requirements.txt" "$AXERO_REPO/tools/requirements-dev.txt" | sha1sum | cut -c1-12)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    log "setting up the virtualenv in $AXERO_VENV (first run only)"
    python3 -m venv "$AXERO_VENV"
    # setuptools 81 dropped pkg_resources, which Odoo 18's gevent (22.10) imports:
    # without it the gevent (websocket) process of `odoo-bin --workers=N`
    # dies at start and is respawned forever.
    "$AXERO_PY" -m pip install -q --upgrade pip wheel "setuptools<81" 2>&1 | grep -v "is ignored" || true
    # Odoo's pins for Python 3.11 with three changes: cbor2 5.4.2 has no wheel
    # and its build fails, psycopg2 is taken as the binary wheel, python-ldap is
    # only for auth_ldap.
    sed -e 's/^cbor2==5\.4\.2.*/cbor2==5.4.6/' \
        -e 's/^psycopg2==\(2\.9\.5\) *; *python_version == .3\.11.*/psycopg2-binary==\1/' \
        -e '/^python-ldap/d' \
        "$ODOO_SRC/requirements.txt" > "$AXERO_HOME/requirements-odoo.txt"
    "$AXERO_PY" -m pip install -q -r "$AXERO_HOME/requirements-odoo.txt" 2>&1 | grep -v "is ignored" || true
    "$AXERO_PY" -m pip install -q -r "$AXERO_REPO/tools/requirements-dev.txt" 2>&1 | grep -v "is ignored" || true
    "$AXERO_PY" -c "import odoo, xero_python, pytest_odoo" 2>/dev/null \
        || PYTHONPATH="$ODOO_SRC" "$AXERO_PY" -c "import odoo, xero_python, pytest_odoo"
    # What `odoo-bin --workers=N` runs in its gevent process.
    "$AXERO_PY" -c "import pkg_resources, gevent.events" 2>/dev/null \
        || { log "gevent cannot import pkg_resources in $AXERO_VENV (setuptools>=81?)"; exit 2; }
    echo "$want" > "$stamp"
}

# PostgreSQL: use the one on $PGHOST:$PGPORT, or start a private cluster.
ensure_postgres() {
    if pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        return 0
    fi
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        log "starting the system PostgreSQL cluster"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
        for _ in $(seq 20); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && return 0; sleep 0.5; done
    fi
    local bindir pgdata="$AXERO_HOME/pgdata"
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bindir" ] || { log "no PostgreSQL server found: install postgresql"; exit 2; }
    log "starting a private PostgreSQL in $pgdata on port $PGPORT"
    local runas=()
    [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
    if [ ! -s "$pgdata/PG_VERSION" ]; then
        mkdir -p "$pgdata"; [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
        "${runas[@]}" "$bindir/initdb" -D "$pgdata" -A trust -U postgres >/dev/null
    fi
    "${runas[@]}" "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/log" -w \
        -o "-h $PGHOST -p $PGPORT -k /tmp" start >/dev/null
    psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER'" | grep -q 1 \
        || psql -U postgres -d postgres -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN" >/dev/null
}

odoo_bin() {  # [subcommand] options...
    local cmd=()
    case "${1:-}" in -*|"") ;; *) cmd=("$1"); shift ;; esac
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$AXERO_PY" "$ODOO_SRC/odoo-bin" "${cmd[@]}" \
        --addons-path="$ODOO_SRC/addons,$AXERO_ADDONS" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" \
        --data-dir="$AXERO_HOME/data" "$@"
}

# A template database with `account` installed, built once per Odoo source:
# installing account takes a minute, copying the template a second.
ensure_template() {
    local rev tmpl
    rev=$( (cd "$ODOO_SRC" && git rev-parse --short HEAD 2>/dev/null) || sha1sum "$ODOO_SRC/odoo/release.py" | cut -c1-8)
    tmpl="axero_tmpl_${rev}_1"
    if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$tmpl'" | grep -q 1; then
        log "building template database $tmpl (Odoo + account, about a minute, once)"
        odoo_bin -d "${tmpl}_build" -i account --without-demo=all --stop-after-init \
            --log-level=warn >&2
        psql -d postgres -qc "ALTER DATABASE \"${tmpl}_build\" RENAME TO \"$tmpl\""
        # Odoo's filestore is per database name: keep one for the template.
        if [ -d "$AXERO_HOME/data/filestore/${tmpl}_build" ]; then
            rm -rf "$AXERO_HOME/data/filestore/$tmpl"
            mv "$AXERO_HOME/data/filestore/${tmpl}_build" "$AXERO_HOME/data/filestore/$tmpl"
        fi
    fi
    AXERO_TEMPLATE=$tmpl
}

new_db_from_template() {  # $1 = database name
    local db=$1
    psql -d postgres -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
    psql -d postgres -qc "CREATE DATABASE \"$db\" TEMPLATE \"$AXERO_TEMPLATE\"" >/dev/null
    rm -rf "$AXERO_HOME/data/filestore/$db"
    if [ -d "$AXERO_HOME/data/filestore/$AXERO_TEMPLATE" ]; then
        mkdir -p "$AXERO_HOME/data/filestore"
        cp -r "$AXERO_HOME/data/filestore/$AXERO_TEMPLATE" "$AXERO_HOME/data/filestore/$db"
    fi
}
