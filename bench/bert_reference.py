"""A plain-PyTorch BERT encoder built the way transformers (4.48 and later) builds BertModel in eager attention mode.

For checking kiln on a machine without the transformers package (Debian 12 does not package it): the module tree,
parameter names and the forward computations follow transformers' modeling_bert.py (BertEmbeddings, BertSelfAttention
with attn_implementation="eager", BertSelfOutput, BertIntermediate, BertOutput, BertLayer, BertEncoder), so the ONNX
export has the same op pattern as the real model's: the position and token-type ids sliced from registered buffers
by the sequence length, heads split by view(..., -1, head size) and merged by reshape(..., -1), the scores scaled by a multiply with the
additive mask added before the softmax, exact (erf) GELU, LayerNorm with eps 1e-12. Dropout is left out (eval mode
makes it the identity, and it exports no op); so is the pooler (the benchmark uses the last hidden state).

BertConfig's defaults are BERT-base's; the weights are initialised as BertPreTrainedModel._init_weights does
(normal(0, 0.02) for linear and embedding weights, zero biases and padding row, LayerNorm weight 1 and bias 0).
"""
import math
from dataclasses import dataclass
from types import SimpleNamespace

import torch
from torch import nn


@dataclass
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    initializer_range: float = 0.02
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0


class BertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)),
                             persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long),
                             persistent=False)

    def forward(self, input_ids):
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        position_ids = self.position_ids[:, 0:seq_length]
        # No token_type_ids given: transformers expands its all-zero buffer to the input's shape.
        token_type_ids = self.token_type_ids[:, :seq_length].expand(input_shape[0], seq_length)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        return self.LayerNorm(embeddings)


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)

    def forward(self, hidden_states, attention_mask):
        # transformers 4.48 and later: heads split by view(..., -1, head size), scaled by a multiply, the mask
        # sliced to the key length, heads merged by reshape(..., -1).
        input_shape = hidden_states.shape[:-1]
        hidden_shape = (*input_shape, -1, self.attention_head_size)
        query_layer = self.query(hidden_states).view(hidden_shape).transpose(1, 2)
        key_layer = self.key(hidden_states).view(hidden_shape).transpose(1, 2)
        value_layer = self.value(hidden_states).view(hidden_shape).transpose(1, 2)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(2, 3)) * self.attention_head_size ** -0.5
        attention_scores = attention_scores + attention_mask[:, :, :, : key_layer.shape[-2]]
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        context_layer = torch.matmul(attention_probs, value_layer).transpose(1, 2).contiguous()
        return context_layer.reshape(*input_shape, -1).contiguous()


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertOutput(config, config.hidden_size)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden_states):
        return nn.functional.gelu(self.dense(hidden_states))  # config.hidden_act "gelu": the exact, erf form


class BertOutput(nn.Module):
    """Dense + residual + LayerNorm: after the feed-forward (transformers' BertOutput) and, from the hidden size,
    after the attention (BertSelfOutput, the same computation and parameter names)."""

    def __init__(self, config, input_size=None):
        super().__init__()
        self.dense = nn.Linear(input_size or config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoderStack(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertModel(nn.Module):
    """BertModel(config, add_pooling_layer=False): forward(input_ids, attention_mask) gives an output whose
    last_hidden_state is the encoder's, as transformers' BaseModelOutput does. attention_mask is the additive 4-D mask (batch, 1, 1 or query length, key length) the benchmark passes in."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoderStack(config)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def forward(self, input_ids, attention_mask):
        return SimpleNamespace(last_hidden_state=self.encoder(self.embeddings(input_ids), attention_mask))
