// Playback of one episode at a time: a clock in episode seconds that advances at `speed` while playing.
export class Player {
  constructor(recording, onFrame) {
    this.recording = recording;
    this.onFrame = onFrame;
    this.episode = 0;
    this.time = 0;
    this.speed = 1;
    this.playing = false;
    this.lastTick = null;
  }

  get frames() { return this.recording.episodes[this.episode].frames; }
  get frameIndex() {
    return Math.min(this.frames.length - 1, Math.max(0, Math.floor(this.time * this.recording.control_rate + 1e-9)));
  }
  get duration() { return this.frames[this.frames.length - 1].time; }

  selectEpisode(index) {
    this.episode = index;
    this.time = 0;
    this.show();
  }

  seekFrame(index) {
    this.time = this.frames[Math.min(this.frames.length - 1, Math.max(0, index))].time;
    this.show();
  }

  play() {
    if (this.frameIndex >= this.frames.length - 1) this.time = 0; // play again from the start
    this.playing = true;
    this.lastTick = null;
  }

  pause() { this.playing = false; }

  /** Advances the clock by the wall time since the last tick (requestAnimationFrame's timestamp, ms). */
  tick(now) {
    if (this.playing) {
      if (this.lastTick !== null) this.time += (now - this.lastTick) / 1000 * this.speed;
      this.lastTick = now;
      if (this.time >= this.duration) {
        this.time = this.duration;
        this.playing = false;
      }
      this.show();
    }
  }

  show() { this.onFrame(this.frames[this.frameIndex], this.frameIndex); }
}
