Console.WriteLine("striate");
