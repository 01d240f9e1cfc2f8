#pragma once
// One image's class scores from its row of logits: probabilities (softmax
// over all classes), the top K, and a class's rank. Shared by a single
// image's session (core/cam/explanationsession.h) and each image of a batch
// (core/cam/batchexplanation.h), so both rank alike.
#include <vector>

#include <torch/types.h>

namespace gce {

struct ClassScore {
    int index = -1;
    float probability = 0.f; // softmax over all classes
    float logit = 0.f;
};

class ClassRanking {
public:
    ClassRanking() = default;
    // logits: `classes` values (detached).
    explicit ClassRanking(const torch::Tensor& logits);

    int classCount() const { return static_cast<int>(m_logits.size(0)); }
    const torch::Tensor& logits() const { return m_logits; }               // classes
    const torch::Tensor& probabilities() const { return m_probabilities; } // classes
    // Throws UsageError for a class out of range.
    void checkClass(int classIndex) const;
    ClassScore score(int classIndex) const;
    std::vector<ClassScore> topK(int k) const; // k clamped to 1..classes
    int rankOf(int classIndex) const;          // 1 = top prediction; ties by index

private:
    torch::Tensor m_logits;
    torch::Tensor m_probabilities;
};

} // namespace gce
