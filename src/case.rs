//! 1EdTech CASE 1.1 packages (placeholder, being written).
