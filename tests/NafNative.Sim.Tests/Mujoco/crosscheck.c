// Steps an MJCF model with MuJoCo's C API directly and prints the state, for MujocoCrossCheckTests: the C# binding
// (through the nafmujoco shim) must print bit-identical numbers. Floats are printed with %a (exact hex).
//   usage: crosscheck MODEL.xml STEPS
#include <mujoco/mujoco.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void row(const char* name, const mjtNum* values, int n) {
  printf("%s", name);
  for (int i = 0; i < n; i++) printf(" %a", values[i]);
  printf("\n");
}

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: crosscheck MODEL.xml STEPS\n"); return 2; }
  char error[1000];
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof error);
  if (!m) { fprintf(stderr, "load: %s\n", error); return 1; }
  mjData* d = mj_makeData(m);
  int steps = atoi(argv[2]);
  printf("sizes %d %d %d %d %d %d\n", m->nq, m->nv, m->nu, m->nbody, m->njnt, m->nsite);
  printf("timestep %a\n", m->opt.timestep);
  for (int j = 0; j < m->njnt; j++) printf("joint %d %d %d %a %a\n", j, m->jnt_qposadr[j], m->jnt_dofadr[j], m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
  for (int a = 0; a < m->nu; a++) printf("ctrlrange %d %a %a\n", a, m->actuator_ctrlrange[2 * a], m->actuator_ctrlrange[2 * a + 1]);
  row("damping", m->dof_damping, m->nv);
  row("mass", m->body_mass, m->nbody);
  // The same deterministic drive as the C# side: home pose, then gravity compensation plus a sinusoidal torque.
  const double home[7] = {0, 0.5, 0, -1.5, 0, 1.14, 0};
  for (int i = 0; i < 7; i++) d->qpos[i] = home[i];
  mj_forward(m, d);
  for (int k = 0; k < steps; k++) {
    mj_step1(m, d);
    for (int i = 0; i < 7; i++) d->ctrl[i] = d->qfrc_bias[i] + 20.0 * sin(0.01 * k + i);
    d->ctrl[7] = d->ctrl[8] = 0.02 + 0.02 * sin(0.005 * k);
    d->qfrc_applied[6] = 0.5 * cos(0.02 * k);
    mj_step2(m, d);
  }
  mj_forward(m, d);
  printf("time %a\n", d->time);
  printf("ncon %d\n", d->ncon);
  row("qpos", d->qpos, m->nq);
  row("qvel", d->qvel, m->nv);
  row("qacc", d->qacc, m->nv);
  row("ctrl", d->ctrl, m->nu);
  row("qfrc_applied", d->qfrc_applied, m->nv);
  row("qfrc_bias", d->qfrc_bias, m->nv);
  row("xpos", d->xpos, 3 * m->nbody);
  row("xquat", d->xquat, 4 * m->nbody);
  row("site_xpos", d->site_xpos, 3 * m->nsite);
  row("site_xmat", d->site_xmat, 9 * m->nsite);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
