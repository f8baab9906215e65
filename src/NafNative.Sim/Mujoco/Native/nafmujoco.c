// nafmujoco: the thin C shim between NafNative.Sim and MuJoCo 2.2.2 (Debian's libmujoco-dev).
//
// Why a shim at all (shared/TOOLCHAIN.md):
// - mjModel and mjData change layout between MuJoCo versions, and a wrong C# mirror of them corrupts silently. This
//   file is compiled against the installed headers, so every field below is read at the offset the library really
//   uses; C# only ever sees flat pointers plus lengths.
// - MuJoCo's default error handler prints "Press Enter to exit" and calls exit(1). Here errors are recorded per
//   thread and unwound with longjmp to the shim entry point that called into MuJoCo, which returns -1; C# then throws
//   with the message. Only entry points that set the jump buffer may call functions that can raise mju_error.
//
// Build (done by NafNative.Sim.csproj when the headers are present):
//   gcc -shared -fPIC -O2 -o libnafmujoco.so nafmujoco.c -lmujoco
#include <mujoco/mujoco.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NAF_MESSAGE 1024

static _Thread_local char naf_error[NAF_MESSAGE];
static _Thread_local char naf_warning[NAF_MESSAGE];
static _Thread_local jmp_buf* naf_jump;

static void naf_on_error(const char* message) {
  snprintf(naf_error, sizeof naf_error, "%s", message ? message : "(no message)");
  if (naf_jump) longjmp(*naf_jump, 1);
  // An error outside a guarded call cannot be unwound safely: fail loudly rather than continue on corrupt state.
  fprintf(stderr, "nafmujoco: unguarded MuJoCo error: %s\n", naf_error);
  abort();
}

static void naf_on_warning(const char* message) {
  // Warnings (e.g. "Nan, Inf or huge value in QACC ... The simulation is unstable") are kept for the caller, who also
  // sees them through mjData.warning counters; MuJoCo itself would print them to stdout and a log file.
  snprintf(naf_warning, sizeof naf_warning, "%s", message ? message : "(no message)");
}

__attribute__((constructor)) static void naf_install_handlers(void) {
  mju_user_error = naf_on_error;
  mju_user_warning = naf_on_warning;
}

// Runs `call` with errors unwound to here; returns 0 on success, -1 after an error (message: naf_last_error).
#define NAF_GUARDED(call)                   \
  do {                                      \
    jmp_buf here;                           \
    jmp_buf* outer = naf_jump;              \
    naf_error[0] = 0;                       \
    if (setjmp(here)) {                     \
      naf_jump = outer;                     \
      return -1;                            \
    }                                       \
    naf_jump = &here;                       \
    call;                                   \
    naf_jump = outer;                       \
    return 0;                               \
  } while (0)

const char* naf_last_error(void) { return naf_error; }
const char* naf_last_warning(void) { return naf_warning; }
int naf_header_version(void) { return mjVERSION_HEADER; }
int naf_library_version(void) { return mj_version(); }

// Loads an MJCF file; on failure returns NULL and writes the parser's message (with file/line) into `error`.
mjModel* naf_load_xml(const char* path, char* error, int error_size) {
  mjModel* m = NULL;
  jmp_buf here;
  jmp_buf* outer = naf_jump;
  naf_error[0] = 0;
  if (setjmp(here)) {
    naf_jump = outer;
    snprintf(error, error_size, "%s", naf_error);
    return NULL;
  }
  naf_jump = &here;
  m = mj_loadXML(path, NULL, error, error_size);
  naf_jump = outer;
  return m;
}

mjData* naf_make_data(const mjModel* m) {
  mjData* d = NULL;
  jmp_buf here;
  jmp_buf* outer = naf_jump;
  naf_error[0] = 0;
  if (setjmp(here)) {
    naf_jump = outer;
    return NULL;
  }
  naf_jump = &here;
  d = mj_makeData(m);
  naf_jump = outer;
  return d;
}

void naf_delete_model(mjModel* m) { mj_deleteModel(m); }
void naf_delete_data(mjData* d) { mj_deleteData(d); }

int naf_step(const mjModel* m, mjData* d, int count) { NAF_GUARDED(for (int i = 0; i < count; i++) mj_step(m, d)); }
int naf_step1(const mjModel* m, mjData* d) { NAF_GUARDED(mj_step1(m, d)); }
int naf_step2(const mjModel* m, mjData* d) { NAF_GUARDED(mj_step2(m, d)); }
int naf_forward(const mjModel* m, mjData* d) { NAF_GUARDED(mj_forward(m, d)); }
int naf_reset(const mjModel* m, mjData* d) { NAF_GUARDED(mj_resetData(m, d)); }

// World-frame linear (out[0..3]) and angular (out[3..6]) velocity of a site; needs an up-to-date forward pass.
int naf_site_velocity(const mjModel* m, const mjData* d, int site, mjtNum* out) {
  mjtNum v[6];
  if (site < 0 || site >= m->nsite) return -1;
  mj_objectVelocity(m, d, mjOBJ_SITE, site, v, 0);
  out[0] = v[3]; out[1] = v[4]; out[2] = v[5];
  out[3] = v[0]; out[4] = v[1]; out[5] = v[2];
  return 0;
}

// Object types by code (kept in step with MujocoObject in C#), so C# never hard-codes mjtObj's numbering.
int naf_name2id(const mjModel* m, int type, const char* name) {
  static const int types[] = {mjOBJ_BODY, mjOBJ_JOINT, mjOBJ_GEOM, mjOBJ_SITE, mjOBJ_ACTUATOR};
  if (type < 0 || type >= (int)(sizeof types / sizeof types[0])) return -1;
  return mj_name2id(m, types[type], name);
}

// Sizes, by code (kept in step with MujocoSize in C#).
int naf_model_size(const mjModel* m, int which) {
  switch (which) {
    case 0: return m->nq;
    case 1: return m->nv;
    case 2: return m->nu;
    case 3: return m->nbody;
    case 4: return m->njnt;
    case 5: return m->ngeom;
    case 6: return m->nsite;
    case 7: return m->nsensordata;
    case 8: return m->neq;
    default: return -1;
  }
}

double naf_model_timestep(const mjModel* m) { return m->opt.timestep; }

// Model arrays, by code (kept in step with MujocoModelArray in C#). Lengths are the caller's to compute from sizes.
mjtNum* naf_model_real(const mjModel* m, int which) {
  switch (which) {
    case 0: return m->jnt_range;           // njnt x 2
    case 1: return m->actuator_ctrlrange;  // nu x 2
    case 2: return m->body_mass;           // nbody
    case 3: return m->dof_damping;         // nv
    case 4: return m->dof_armature;        // nv
    case 5: return m->qpos0;               // nq
    case 6: return m->geom_size;           // ngeom x 3
    case 7: return m->geom_pos;            // ngeom x 3, in the body frame
    case 8: return m->geom_quat;           // ngeom x 4, in the body frame
    default: return NULL;
  }
}

int* naf_model_int(const mjModel* m, int which) {
  switch (which) {
    case 0: return m->jnt_qposadr;  // njnt
    case 1: return m->jnt_dofadr;   // njnt
    case 2: return m->jnt_type;     // njnt
    case 3: return m->geom_type;    // ngeom
    case 4: return m->geom_bodyid;  // ngeom
    case 5: return m->body_parentid; // nbody
    default: return NULL;
  }
}

// MujocoGeomType in C# numbers geom_type as mjtGeom does; a header that numbers them otherwise fails here, not at run time.
_Static_assert(mjGEOM_PLANE == 0 && mjGEOM_SPHERE == 2 && mjGEOM_CAPSULE == 3 && mjGEOM_ELLIPSOID == 4 &&
               mjGEOM_CYLINDER == 5 && mjGEOM_BOX == 6 && mjGEOM_MESH == 7, "mjtGeom numbering changed: update MujocoGeomType");

// Single-precision model arrays, by code (kept in step with MujocoNative.ModelFloat in C#).
float* naf_model_float(const mjModel* m, int which) {
  switch (which) {
    case 0: return m->geom_rgba;    // ngeom x 4
    default: return NULL;
  }
}

// The name of object id of a type (codes as naf_name2id), or NULL when it has none.
const char* naf_id2name(const mjModel* m, int type, int id) {
  static const int types[] = {mjOBJ_BODY, mjOBJ_JOINT, mjOBJ_GEOM, mjOBJ_SITE, mjOBJ_ACTUATOR};
  if (type < 0 || type >= (int)(sizeof types / sizeof types[0])) return NULL;
  return mj_id2name(m, types[type], id);
}

// Data arrays, by code (kept in step with MujocoDataArray in C#).
mjtNum* naf_data_real(const mjData* d, int which) {
  switch (which) {
    case 0: return d->qpos;          // nq
    case 1: return d->qvel;          // nv
    case 2: return d->ctrl;          // nu
    case 3: return d->qfrc_applied;  // nv
    case 4: return d->qfrc_bias;     // nv
    case 5: return d->xpos;          // nbody x 3
    case 6: return d->xquat;         // nbody x 4
    case 7: return d->site_xpos;     // nsite x 3
    case 8: return d->site_xmat;     // nsite x 9
    case 9: return d->sensordata;    // nsensordata
    case 10: return d->qacc;         // nv
    default: return NULL;
  }
}

double naf_data_time(const mjData* d) { return d->time; }
int naf_data_ncon(const mjData* d) { return d->ncon; }
// NaN/huge qpos, qvel or qacc: MuJoCo warned and reset the state.
int naf_data_instability_warnings(const mjData* d) {
  return d->warning[mjWARN_BADQPOS].number + d->warning[mjWARN_BADQVEL].number + d->warning[mjWARN_BADQACC].number;
}
