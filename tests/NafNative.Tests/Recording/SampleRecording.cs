using NafNative.Recording;

namespace NafNative.Tests.Recording;

/// <summary>A small, valid recording: a 7-joint arm, one box body, one value, two episodes of three frames.</summary>
internal static class SampleRecording
{
    public static EpisodeRecording Make()
    {
        float[][] axes = [[0, 0, 1], [0, 1, 0], [0, 0, 1], [0, -1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]];
        var arm = new ArmDescription("test-arm", axes.Select(_ => new float[] { 0, 0, 0.2f }).ToArray(), axes, [0, 0, 0.145f],
            [0.07f, 0.065f, 0.06f, 0.055f, 0.05f, 0.045f, 0.04f], Enumerable.Repeat(-2f, 7).ToArray(), Enumerable.Repeat(2f, 7).ToArray());
        var door = new SceneBody("door", [new SceneGeom("box", [0.02f, 0.275f, 0.45f], [0, -0.275f, 0.5f], [1, 0, 0, 0], [0.6f, 0.4f, 0.2f, 1])]);
        var scene = new RecordedScene(arm, [door], new SceneTarget("target", 0.05f), [new SceneValue("door opening", "rad")]);
        var episodes = Enumerable.Range(0, 2).Select(e => new RecordedEpisode(100 + e, e == 1, -3.5 + e,
            Enumerable.Range(0, 3).Select(f => new RecordedFrame(f * 0.05,
                Enumerable.Range(0, 7).Select(j => 0.1f * j + 0.01f * f + e).ToArray(), [0.5f, 0, 0.3f + 0.01f * f], [0.6f, 0.1f, 0.3f],
                [0.72f, 0.3f, 0, 1, 0, 0, 0.01f * f], [0.02f * f], -0.5f * f)).ToArray())).ToArray();
        return new EpisodeRecording("door-pull", "/runs/x/best.naf", 1234, 20, scene, episodes);
    }
}
