// The C# examples of docs/training.md, verbatim, with the numbers the page shows; a last test checks
// that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Training;

namespace Striate.Tests.Docs;

public class TrainingDocExamplesTests
{
    [Fact]
    public void AugmentExample()
    {
        var train = new ClassificationDataset(new float[5 * 28 * 28], [1, 28, 28], [0, 1, 2, 3, 4]);
        var augment = AugmentationSpec.Parse("crop:2,flip", [1, 28, 28]);
        var loader = new DataLoader(train, batchSize: 128, shuffle: true, rng: new Rng(0), transform: augment);
        int steps = augment.Transforms.Count;                 // 2: RandomCrop, then RandomHorizontalFlip
        IReadOnlyList<int> shape = loader.BatchSampleShape;   // (1, 28, 28)

        Assert.Equal(2, steps);
        Assert.IsType<RandomCrop>(augment.Transforms[0]);
        Assert.IsType<RandomHorizontalFlip>(augment.Transforms[1]);
        Assert.Equal([1, 28, 28], shape);
        Assert.Equal([5, 1, 28, 28], loader.Epoch().Single().Images.Shape);
    }

    [Fact]
    public void RecipeExample()
    {
        var recipe = Recipes.Find("fashion-mnist-best");
        var model = Recipes.CreateModel(recipe.Model, 10, [1, 28, 28], new Rng(0));
        long parameters = model.ParameterCount();   // 871,082
        int epochs = recipe.Epochs;                 // 16

        Assert.Equal(871_082, parameters);
        Assert.Equal(16, epochs);
    }

    [Fact]
    public void Page_RecipeTable_MatchesTheRecipes()
    {
        string page = File.ReadAllText(Path.Combine(Root(), "docs", "training.md"));
        foreach (var r in Recipes.All)
        {
            string row = page.Split('\n').Single(l => l.StartsWith($"| `{r.Name}` |", StringComparison.Ordinal));
            Assert.Contains($"`{r.Model}`", row, StringComparison.Ordinal);
            // The page's options are the recipe's, less the --model the table shows in its own column.
            string options = r.Options[(r.Options.IndexOf(" --", StringComparison.Ordinal) + 1)..];
            Assert.Contains($"`{options}`", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile()
    {
        var source = File.ReadAllLines(ThisFile()).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var lines = File.ReadAllLines(Path.Combine(Root(), "docs", "training.md"));
        int blocks = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"training.md: unterminated code block at line {i + 1}");
            var wanted = lines[(i + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            int start = Array.IndexOf(source, wanted[0]);
            Assert.True(start >= 0, $"training.md: the line '{wanted[0]}' is not in this file");
            for (int j = 0; j < wanted.Length; j++)
                Assert.True(start + j < source.Length && source[start + j] == wanted[j], $"training.md: block starting '{wanted[0]}' differs at '{wanted[j]}'");
            blocks++;
            i = end;
        }
        Assert.Equal(2, blocks);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string Root([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
