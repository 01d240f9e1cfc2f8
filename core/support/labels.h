#pragma once
// Class labels: the 1000 ImageNet names compiled in (torchvision's
// _IMAGENET_CATEGORIES order), and resolving what a user typed to a class.
#include <string>
#include <vector>

namespace gce {

class LabelSet {
public:
    static const LabelSet& imageNet();
    // "class 0" .. "class N-1" for models without a labels file.
    static LabelSet numbered(int count);
    explicit LabelSet(std::vector<std::string> names);

    int size() const { return static_cast<int>(m_names.size()); }
    const std::string& name(int index) const; // throws UsageError when out of range
    const std::vector<std::string>& names() const { return m_names; }

    // What the user typed: an index ("515") or a label, matched ignoring case
    // ("cowboy hat"). Throws UsageError: out of range, unknown label (with
    // suggestions), or a label that names several classes ("crane": 134, 517).
    int resolve(const std::string& query) const;

    // Indices whose name contains `text` (ignoring case), in index order; an
    // all-digit query also matches that index.
    std::vector<int> search(const std::string& text) const;

private:
    std::vector<std::string> m_names;
};

} // namespace gce
