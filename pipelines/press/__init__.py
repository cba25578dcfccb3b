"""Press items: extraction from feeds, the classifier, its labelled set and reviewers' decisions."""
