namespace NafNative.Tests.Autodiff;

/// <summary>Slow, obvious double-precision forms of the tape's ops and of their backward passes, written from the
/// definitions (row-major [rows × cols]) and sharing no code with the engine.</summary>
internal static class Reference
{
    /// <summary>y[m×n] = a[m×k] · b[k×n].</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var y = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                y[i * n + j] = sum;
            }
        return y;
    }

    /// <summary>∂/∂a and ∂/∂b of Σ (a·b) ⊙ w: w·bᵀ and aᵀ·w.</summary>
    public static (double[] DA, double[] DB) MatMulBackward(double[] a, double[] b, double[] w, int m, int k, int n)
    {
        var da = new double[m * k];
        var db = new double[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++) sum += w[i * n + j] * b[p * n + j];
                da[i * k + p] = sum;
            }
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < m; i++) sum += a[i * k + p] * w[i * n + j];
                db[p * n + j] = sum;
            }
        return (da, db);
    }

    /// <summary>y[batch×out] = x[batch×in] · weight[in×out] + bias[1×out].</summary>
    public static double[] Linear(double[] x, double[] weight, double[] bias, int batch, int inputs, int outputs)
    {
        double[] y = MatMul(x, weight, batch, inputs, outputs);
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < outputs; j++) y[r * outputs + j] += bias[j];
        return y;
    }

    /// <summary>Σ over rows of w: the bias gradient of a dense layer.</summary>
    public static double[] SumColumns(double[] w, int rows, int cols)
    {
        var sum = new double[cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) sum[j] += w[r * cols + j];
        return sum;
    }

    public static double[] Map(double[] a, Func<double, double> f)
    {
        var y = new double[a.Length];
        for (int i = 0; i < a.Length; i++) y[i] = f(a[i]);
        return y;
    }

    public static double[] Zip(double[] a, double[] b, Func<double, double, double> f)
    {
        if (a.Length != b.Length) throw new ArgumentException("Reference.Zip: lengths differ.");
        var y = new double[a.Length];
        for (int i = 0; i < a.Length; i++) y[i] = f(a[i], b[i]);
        return y;
    }

    public static double Sum(double[] a)
    {
        double sum = 0;
        foreach (double v in a) sum += v;
        return sum;
    }

    /// <summary>y[r, j] = a[r, index[j]], or 0 where index[j] is −1.</summary>
    public static double[] GatherColumns(double[] a, int rows, int cols, int[] index)
    {
        var y = new double[rows * index.Length];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < index.Length; j++)
                y[r * index.Length + j] = index[j] < 0 ? 0 : a[r * cols + index[j]];
        return y;
    }

    /// <summary>∂/∂a of Σ gather(a) ⊙ w: each w[r, j] lands on a[r, index[j]] (repeats add up).</summary>
    public static double[] GatherColumnsBackward(double[] w, int rows, int cols, int[] index)
    {
        var da = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < index.Length; j++)
                if (index[j] >= 0) da[r * cols + index[j]] += w[r * index.Length + j];
        return da;
    }

    /// <summary>mean((p − t)²).</summary>
    public static double MeanSquaredError(double[] prediction, double[] target)
    {
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            double d = prediction[i] - target[i];
            sum += d * d;
        }
        return sum / prediction.Length;
    }
}
