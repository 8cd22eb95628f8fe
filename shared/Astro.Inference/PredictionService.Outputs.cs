using Astro.Contract.Packaging;
using Astro.Contract.Predictions;
using Astro.Inference.Models;

namespace Astro.Inference;

// Outputs: class probabilities, or the mean and calibrated σ of a regression (variance head or ensemble members) and the slope correction.
public partial class PredictionService
{
    /// <summary>Writes the model outputs of rows start..start+n of the batch into the chunk's values, σ, classes and flags.</summary>
    private void SetOutputs(BatchContext c, int start, int n, IReadOnlyList<float[]> outputs)
    {
        ModelManifest m = _package.Manifest;
        bool classification = m.Task == ModelTask.Classification;
        for (int i = 0; i < n; i++)
        {
            int r = c.RowOfKept[start + i];
            if (classification)
            {
                int classes = m.Classes.Count;
                Span<float> p = c.Probabilities.AsSpan(r * classes, classes);
                outputs[_probOutput].AsSpan(i * classes, classes).CopyTo(p);
                (int best, float max) = PredictionModelFactory.ArgMax(p);
                c.ClassIndices![r] = best;
                c.Values[r] = max;
                c.Sigmas[r] = best < 0 ? float.NaN : 1f - max;
                if (best < 0)
                {
                    c.Flags[r] |= PredictionFlags.InvalidOutput;
                }
            }
            else
            {
                (double mean, double sigma) = MeanAndSigma(outputs, i);
                if (_slope is not null)
                {
                    (mean, double slope) = Polynomial(_slope, mean);
                    sigma *= Math.Abs(slope);
                }

                c.Values[r] = (float)mean;
                c.Sigmas[r] = (float)sigma;
                if (!double.IsFinite(mean))
                {
                    c.Flags[r] |= PredictionFlags.InvalidOutput;
                }
            }
        }
    }

    private (double Mean, double Sigma) MeanAndSigma(IReadOnlyList<float[]> outputs, int i)
    {
        double mean = double.NaN;
        double variance = double.NaN;
        bool scaled = false;
        if (_meanOutput >= 0)
        {
            mean = outputs[_meanOutput][i * _meanWidth];
        }

        if (_logVarOutput >= 0)
        {
            int width = _logVarOutput == _meanOutput ? 2 : 1;
            variance = Math.Exp(outputs[_logVarOutput][(i * width) + _logVarColumn]);
            scaled = true;
        }
        else if (_membersOutput >= 0)
        {
            float[] o = outputs[_membersOutput];
            int mcount = _members;
            double sum = 0;
            double sumSq = 0;
            double sumVar = 0;
            for (int j = 0; j < mcount; j++)
            {
                double mu;
                if (_memberPairs)
                {
                    int at = ((i * mcount) + j) * 2;
                    mu = o[at];
                    sumVar += Math.Exp(o[at + 1]);
                }
                else
                {
                    mu = o[(i * mcount) + j];
                }

                sum += mu;
                sumSq += mu * mu;
            }

            double avg = sum / mcount;
            variance = Math.Max(0, (sumSq / mcount) - (avg * avg)) + (sumVar / mcount);
            if (_meanOutput < 0)
            {
                mean = avg;
            }

            scaled = true;
        }

        double sigma = scaled ? Math.Sqrt(variance) * _calibration : double.NaN;
        return (mean, sigma);
    }

    /// <summary>Σ cₖ·yᵏ and its derivative (Horner).</summary>
    internal static (double Value, double Derivative) Polynomial(double[] c, double y)
    {
        double value = c[^1];
        double derivative = 0;
        for (int k = c.Length - 2; k >= 0; k--)
        {
            derivative = (derivative * y) + value;
            value = (value * y) + c[k];
        }

        return (value, derivative);
    }
}
