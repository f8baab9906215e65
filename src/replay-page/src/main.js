// naf view's page: loads the run, its recording and its curves from the server that served it (nothing else on the
// network), then replays the episodes with play, pause, speed, scrub and episode selection.
import { SceneView } from './sceneView.js';
import { Player } from './player.js';
import { drawCurves } from './curves.js';
import { worstEndEffectorError } from './kinematics.js';

// A recorded end effector farther than this from the kinematics' one means the page draws another arm than the
// simulator ran (the recording stores float32, so agreement is ~1e-6 m).
const KINEMATICS_TOLERANCE = 1e-3;

async function fetchJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function fail(error) {
  const box = document.getElementById('error');
  box.textContent = `naf view: ${error.message || error}`;
  box.hidden = false;
  console.error(`naf view: ${error.stack || error}`);
}

async function start() {
  const [run, recording, curves] = await Promise.all([fetchJson('api/run'), fetchJson('api/recording'), fetchJson('api/curves')]);
  document.title = `naf view: ${run.name}`;
  document.getElementById('title').textContent = `${recording.task} · ${run.name}`;
  document.getElementById('subtitle').textContent =
    `${recording.episodes.length} greedy episodes of ${recording.checkpoint.split('/').pop()} after ${recording.updates.toLocaleString('en')} updates`;

  const error = worstEndEffectorError(recording.scene.arm, recording.episodes);
  if (!(error <= KINEMATICS_TOLERANCE)) {
    console.error(`naf view: the arm's kinematics miss the recorded end effector by ${error.toFixed(4)} m`);
  }

  const view = new SceneView(document.getElementById('viewport'), recording.scene);
  view.frame(recording.episodes[0].frames[0]);
  const values = document.getElementById('values');
  const clock = document.getElementById('clock');
  const scrub = document.getElementById('scrub');
  const play = document.getElementById('play');
  const episodeSelect = document.getElementById('episode');
  const speed = document.getElementById('speed');

  let shown = { frame: 0 };
  const player = new Player(recording, (frame, index) => {
    view.show(frame);
    shown = { frame: index };
    scrub.value = String(index);
    clock.textContent = `${frame.time.toFixed(2)} s / ${player.duration.toFixed(2)} s`;
    showValues(values, recording.scene, player, frame, index);
    play.textContent = player.playing ? 'Pause' : 'Play';
  });

  recording.episodes.forEach((episode, i) => {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = `${i + 1}: ${episode.success ? 'success' : 'no success'}, return ${episode.return.toFixed(1)}`;
    episodeSelect.appendChild(option);
  });
  const selectEpisode = (i) => {
    player.selectEpisode(i);
    scrub.max = String(player.frames.length - 1);
  };
  episodeSelect.addEventListener('change', () => selectEpisode(Number(episodeSelect.value)));
  play.addEventListener('click', () => {
    if (player.playing) player.pause(); else player.play();
    player.show();
  });
  // Space plays and pauses, except where a focused control has its own use for it (a focused button already
  // clicks itself on space; toggling here too would undo it).
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' && !['BUTTON', 'SELECT', 'INPUT'].includes(e.target.tagName)) { e.preventDefault(); play.click(); }
  });
  speed.addEventListener('change', () => { player.speed = Number(speed.value); });
  scrub.addEventListener('input', () => {
    player.pause();
    player.seekFrame(Number(scrub.value));
  });
  selectEpisode(0);
  drawCurves(document.getElementById('curves'), curves);

  const loop = (now) => {
    player.tick(now);
    view.render();
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);

  // For the browser test and the screenshot script (tests/replay-browser): what is shown, and where the arm is drawn.
  window.nafReplay = {
    ready: true,
    state: () => ({ episode: player.episode, frame: shown.frame, frames: player.frames.length, time: player.time, playing: player.playing,
      kinematicsError: error }),
    armScreenBox: () => view.armScreenBox(),
  };
}

function showValues(table, scene, player, frame, index) {
  const episode = player.recording.episodes[player.episode];
  const returnSoFar = episode.frames.slice(1, index + 1).reduce((sum, f) => sum + f.reward, 0);
  const rows = [
    ['frame', `${index} / ${player.frames.length - 1}`],
    ['seed', String(episode.seed)],
    ['reward', frame.reward.toFixed(3)],
    ['return so far', returnSoFar.toFixed(2)],
    ...scene.values.map((v, i) => [`${v.name} (${v.unit})`, format(frame.values[i])]),
  ];
  table.replaceChildren(...rows.map(([name, value]) => {
    const tr = document.createElement('tr');
    for (const text of [name, value]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function format(v) { return Number.isInteger(v) ? String(v) : v.toFixed(3); }

start().catch(fail);
